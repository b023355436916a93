import { describe, expect, it } from "vitest";
import { decideCommitSha, imageShaTag, matchShaPrefix, shaPrefixError, type CommitShaDecision, type CommitShaSources, type ShaPrefixMatch } from "../../../src/core/commit-sha.js";
import { ValidationError } from "../../../src/core/errors.js";

const A = "a".repeat(40);
const B = "b".repeat(40);
const C = "c".repeat(40);
const H = "d".repeat(40);
const H256 = "e".repeat(64);
const ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web";

describe("decideCommitSha", () => {
  it.each<[string, CommitShaSources, boolean, CommitShaDecision | RegExp]>([
    ["--sha wins over everything", { flag: A, image: `${ECR}:${B}`, circleSha1: C, gitHead: { head: H } }, true, { kind: "resolved", sha: A, source: "flag" }],
    ["--sha is taken as given (release and push check its form)", { flag: "abc1234" }, true, { kind: "resolved", sha: "abc1234", source: "flag" }],
    ["an empty --sha counts as not given", { flag: "", circleSha1: C }, true, { kind: "resolved", sha: C, source: "CIRCLE_SHA1" }],
    ["the image's full-SHA tag beats the pipeline's commit", { image: `${ECR}:${B}`, circleSha1: C }, false, { kind: "resolved", sha: B, source: "image-tag" }],
    ["the image's tag before a digest", { image: `${ECR}:${B}@sha256:${H256}`, circleSha1: C }, false, { kind: "resolved", sha: B, source: "image-tag" }],
    ["an image tag that is not a full SHA: CIRCLE_SHA1", { image: "public.ecr.aws/acme/web:latest", circleSha1: C }, false, { kind: "resolved", sha: C, source: "CIRCLE_SHA1" }],
    ["a short-SHA image tag is not the commit", { image: `${ECR}:abc1234`, circleSha1: C }, false, { kind: "resolved", sha: C, source: "CIRCLE_SHA1" }],
    ["CIRCLE_SHA1 before git", { circleSha1: C, gitHead: { head: H } }, true, { kind: "resolved", sha: C, source: "CIRCLE_SHA1" }],
    ["an empty CIRCLE_SHA1 counts as unset", { circleSha1: "" }, true, { kind: "read-git-head" }],
    ["nothing else: read git HEAD", {}, true, { kind: "read-git-head" }],
    ["nothing else and not required: still read git HEAD", {}, false, { kind: "read-git-head" }],
    ["git HEAD", { gitHead: { head: H } }, true, { kind: "resolved", sha: H, source: "git" }],
    ["git HEAD of a SHA-256 repository", { gitHead: { head: H256 } }, true, { kind: "resolved", sha: H256, source: "git" }],
    ["no checkout, not required (release --image): no SHA", { gitHead: { failure: "fatal: not a git repository" } }, false, { kind: "none" }],
    ["no checkout, required", { gitHead: { failure: "fatal: not a git repository" }, gitDirectory: "/ctx" }, true, /^no commit SHA: pass --sha, set CIRCLE_SHA1, or run inside a git checkout \(git rev-parse HEAD in \/ctx: fatal: not a git repository\)$/],
    ["git answering something that is not a SHA, required", { gitHead: { head: "HEAD" } }, true, /^no commit SHA: .*\(git rev-parse HEAD in the working directory: it answered "HEAD"\)$/],
    ["git answering something that is not a SHA, not required", { gitHead: { head: "HEAD" } }, false, { kind: "none" }],
  ])("%s", (_title, sources, required, expected) => {
    const decide = (): CommitShaDecision => decideCommitSha(sources, required);
    if (expected instanceof RegExp) {
      expect(decide).toThrow(ValidationError);
      expect(decide).toThrow(expected);
    } else expect(decide()).toEqual(expected);
  });
});

describe("imageShaTag", () => {
  it.each<[string, string | undefined]>([
    [`${ECR}:${A}`, A],
    [`${ECR}:${A}@sha256:${H256}`, A],
    [`${ECR}@sha256:${H256}`, undefined],
    [`${ECR}:${A.toUpperCase()}`, undefined],
    [`${ECR}:latest`, undefined],
    [ECR, undefined],
  ])("%s", (image, tag) => {
    expect(imageShaTag(image)).toBe(tag);
  });
});

describe("matchShaPrefix: a SHA as people copy it, against the repository's tags", () => {
  const FULL_1 = "278db83c6ad5" + "1".repeat(28);
  const FULL_2 = "278db83c6ad5" + "2".repeat(28);
  const OTHER = "9".repeat(40);
  const TAGS = [FULL_1, FULL_2, OTHER, "latest", "278db83c6ad5", "v1.2.3"];
  it.each<[string, string, readonly string[], ShaPrefixMatch]>([
    ["a full SHA is taken as given (no listing needed)", FULL_1, [], { kind: "full", sha: FULL_1 }],
    ["a unique prefix → the one full-SHA tag", "278db83c6ad51", TAGS, { kind: "unique", sha: FULL_1 }],
    ["upper case as copied from a web page", "278DB83C6AD52", TAGS, { kind: "unique", sha: FULL_2 }],
    ["a prefix two full-SHA tags share → both, sorted", "278db83c6ad5", TAGS, { kind: "ambiguous", candidates: [FULL_1, FULL_2] }],
    ["a tag that is itself the short SHA does not count: only full-SHA tags", "278db83", ["278db83c6ad5"], { kind: "none" }],
    ["no tag starts with it", "abcdef0", TAGS, { kind: "none" }],
    ["a SHA-256 commit's tag", "e".repeat(10), ["e".repeat(64)], { kind: "unique", sha: "e".repeat(64) }],
  ])("%s", (_name, prefix, tags, expected) => {
    expect(matchShaPrefix(prefix, tags)).toEqual(expected);
  });

  it("words the refusal: absent names the repository and the prefix; ambiguous lists the candidates", () => {
    expect(shaPrefixError("abcdef0", "platform", { kind: "none" }).message).toBe(
      "--sha abcdef0: no image in ECR repository platform has a full-SHA tag starting with it (push the commit's image first, or check --sha, --repository and the region)",
    );
    const ambiguous = shaPrefixError("278db83", "platform", { kind: "ambiguous", candidates: [FULL_1, FULL_2] });
    expect(ambiguous.message).toBe(`--sha 278db83 matches 2 images in ECR repository platform: ${FULL_1}, ${FULL_2} (pass more digits)`);
    expect(ambiguous.exitCode).toBe(2);
  });
});
