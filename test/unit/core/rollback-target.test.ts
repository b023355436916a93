import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../src/core/errors.js";
import type { RevisionRecord } from "../../../src/core/revision-record.js";
import { formatRollbackTo, parseRollbackTo, runsCommit, selectRevisionsToDeregister, selectRollbackTarget, type RollbackTo } from "../../../src/core/rollback-target.js";
import { TAG } from "../../../src/core/tags.js";

const ARN = (family: string, revision: number): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${revision}`;

/** `rev(3, "stable", { sha: "ccc…" })`: a revision of family web with that outcome tag. */
function rev(revision: number, outcome?: string, extra: { status?: string; sha?: string; keep?: boolean; family?: string; environment?: string } = {}): RevisionRecord {
  const family = extra.family ?? "web";
  const tags: Record<string, string> = {};
  if (extra.environment) tags[TAG.environment] = extra.environment;
  if (outcome) tags[TAG.outcome] = outcome;
  if (extra.sha) tags[TAG.sha] = extra.sha;
  if (extra.keep) tags[TAG.keep] = "true";
  return { arn: ARN(family, revision), family, revision, status: extra.status ?? "ACTIVE", tags };
}

const SHA = (c: string): string => c.repeat(40);

describe("parseRollbackTo", () => {
  it.each<[string, RollbackTo]>([
    ["previous", { kind: "previous" }],
    ["", { kind: "previous" }],
    ["42", { kind: "revision", revision: 42 }],
    ["web:7", { kind: "name", family: "web", revision: 7 }],
    ["my_app-2:13", { kind: "name", family: "my_app-2", revision: 13 }],
    [ARN("web", 9), { kind: "name", family: "web", revision: 9 }],
    ["arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/web:3", { kind: "name", family: "web", revision: 3 }],
    ["sha:ABCDEF1", { kind: "sha", sha: "abcdef1" }],
    [`sha:${SHA("a")}`, { kind: "sha", sha: SHA("a") }],
  ])("%j", (text, expected) => {
    expect(parseRollbackTo(text)).toEqual(expected);
  });

  it.each(["0", "-1", "web", "web:", "web:x", "sha:abc", "sha:zzzzzzz", "latest", "arn:aws:ecs:us-east-1:123456789012:service/prod/web", "1e3", "0x1A", "42x", "x42", "xsha:abcdef1", "sha:abcdef1x"])("rejects %j with one actionable line", (text) => {
    expect(() => parseRollbackTo(text)).toThrow(ValidationError);
    expect(() => parseRollbackTo(text)).toThrow(/previous, a revision number/);
  });
});

describe("formatRollbackTo", () => {
  it.each<[string, string]>([
    [" previous ", "previous"],
    ["", "previous"],
    [" 42 ", "42"],
    ["web:7", "web:7"],
    [ARN("web", 9), "web:9"],
    ["sha:ABCDEF1", "sha:abcdef1"],
  ])("%j is written back as %j", (text, written) => {
    expect(formatRollbackTo(parseRollbackTo(text))).toBe(written);
  });
});

describe("selectRollbackTarget", () => {
  // The scenario: A=1 stable, B=2 stable, C=3 failed (circuit breaker went back to B), D=4 stable but bad.
  const scenario = [rev(4, "stable", { sha: SHA("d") }), rev(3, "failed", { sha: SHA("c") }), rev(2, "stable", { sha: SHA("b") }), rev(1, "stable", { sha: SHA("a") })];
  const current = { family: "web", revision: 4 };

  type Row = [string, RollbackTo, { family: string; revision: number }, readonly RevisionRecord[], boolean, { status: string; revision?: number; note?: RegExp; reason?: RegExp }];
  it.each<Row>([
    ["previous skips the failed revision", { kind: "previous" }, current, scenario, true, { status: "found", revision: 2 }],
    ["previous decides as soon as a stable older one is read", { kind: "previous" }, current, scenario.slice(0, 3), false, { status: "found", revision: 2 }],
    ["previous asks for more while only bad ones are read", { kind: "previous" }, current, scenario.slice(0, 2), false, { status: "need-more" }],
    ["previous ignores newer revisions (circuit breaker already went back)", { kind: "previous" }, { family: "web", revision: 2 }, [rev(3, "failed"), rev(2, "stable"), rev(1, "stable")], true, { status: "found", revision: 1 }],
    ["previous skips INACTIVE stable revisions", { kind: "previous" }, current, [rev(4, "stable"), rev(3, "stable", { status: "INACTIVE" }), rev(2, "stable")], true, { status: "found", revision: 2 }],
    ["previous falls back to the next older ACTIVE revision without records, with a note", { kind: "previous" }, current, [rev(4), rev(3), rev(2)], true, { status: "found", revision: 3, note: /no ACTIVE revision of web older than web:4 is recorded as stable/ }],
    ["the fallback skips revisions recorded as bad", { kind: "previous" }, current, [rev(4), rev(3, "failed"), rev(2, "rolled-back"), rev(1)], true, { status: "found", revision: 1, note: /falling back/ }],
    ["previous with only bad older revisions has none", { kind: "previous" }, current, [rev(4), rev(3, "failed")], true, { status: "none", reason: /recorded as failed or rolled back: 3/ }],
    ["previous with no older revision has none", { kind: "previous" }, { family: "web", revision: 1 }, [rev(1, "stable")], true, { status: "none", reason: /^no ACTIVE revision of web older than web:1 to roll back to$/ }],
    ["previous lists the bad older ones", { kind: "previous" }, current, [rev(4), rev(3, "failed"), rev(2, "rolled-back")], true, { status: "none", reason: /to roll back to \(the older ACTIVE ones are recorded as failed or rolled back: 3, 2; name one with --to to use it anyway\)$/ }],
    ["previous ignores other families' revisions", { kind: "previous" }, current, [rev(4), rev(3, "stable", { family: "worker" }), rev(2, "stable")], true, { status: "found", revision: 2 }],
    ["a number among others", { kind: "revision", revision: 2 }, current, [rev(3, "stable"), rev(2, "stable"), rev(1, "stable")], true, { status: "found", revision: 2 }],
    ["an unknown number before every revision is read", { kind: "revision", revision: 99 }, current, [rev(4, "stable")], false, { status: "need-more" }],
    ["sha: lists every bad match", { kind: "sha", sha: "ccccccc" }, current, [rev(3, "failed", { sha: SHA("c") }), rev(2, "rolled-back", { sha: SHA("c") })], true, { status: "none", reason: /\(web:3, web:2\)/ }],
    ["a number", { kind: "revision", revision: 1 }, current, [rev(1, "stable")], true, { status: "found", revision: 1 }],
    ["a number naming a failed revision works, with a note", { kind: "revision", revision: 3 }, current, [rev(3, "failed")], true, { status: "found", revision: 3, note: /recorded as failed/ }],
    ["a number naming an INACTIVE revision", { kind: "revision", revision: 2 }, current, [rev(2, "stable", { status: "INACTIVE", sha: SHA("b") })], true, { status: "none", reason: /^web:2 is INACTIVE: ECS cannot start tasks from it \(release commit b{12} again instead: ecs-release release --sha b{40}\)$/ }],
    ["a number naming an INACTIVE revision without a commit", { kind: "revision", revision: 2 }, current, [rev(2, "stable", { status: "INACTIVE" })], true, { status: "none", reason: /^web:2 is INACTIVE: ECS cannot start tasks from it$/ }],
    ["an unknown number", { kind: "revision", revision: 99 }, current, [], true, { status: "none", reason: /web:99 does not exist/ }],
    ["family:revision", { kind: "name", family: "web", revision: 2 }, current, [rev(2, "stable")], true, { status: "found", revision: 2 }],
    ["family:revision of another family", { kind: "name", family: "worker", revision: 2 }, current, [rev(2, "stable", { family: "worker" })], true, { status: "none", reason: /is of family worker, but the service runs family web/ }],
    ["sha: prefers the stable revision of the commit", { kind: "sha", sha: "bbbbbbb" }, current, [rev(4, undefined, { sha: SHA("b") }), ...scenario.slice(1)], true, { status: "found", revision: 2 }],
    ["sha: decides at the first stable match", { kind: "sha", sha: "bbbbbbb" }, current, scenario.slice(0, 3), false, { status: "found", revision: 2 }],
    ["sha: a match of unknown outcome needs the rest before it is chosen", { kind: "sha", sha: "bbbbbbb" }, current, [rev(4, undefined, { sha: SHA("b") })], false, { status: "need-more" }],
    ["sha: falls back to a match not recorded as bad", { kind: "sha", sha: "bbbbbbb" }, current, [rev(4, undefined, { sha: SHA("b") }), rev(3, "failed", { sha: SHA("b") })], true, { status: "found", revision: 4, note: /not recorded as stable/ }],
    ["sha: only failed matches", { kind: "sha", sha: "ccccccc" }, current, scenario, true, { status: "none", reason: /recorded as failed or rolled back \(web:3\)/ }],
    ["sha: unknown commit", { kind: "sha", sha: "eeeeeee" }, current, scenario, true, { status: "none", reason: /no ACTIVE revision of web runs commit eeeeeee.*release --sha eeeeeee/ }],
    ["sha: INACTIVE matches do not count", { kind: "sha", sha: "aaaaaaa" }, current, [rev(1, "stable", { status: "INACTIVE", sha: SHA("a") })], true, { status: "none", reason: /no ACTIVE revision/ }],
  ])("%s", (_title, to, cur, revisions, exhausted, expected) => {
    const decision = selectRollbackTarget({ to, current: cur, revisions, exhausted });
    expect(decision.status).toBe(expected.status);
    if (decision.status === "found") {
      expect(decision.target.revision).toBe(expected.revision);
      if (expected.note) expect(decision.note).toMatch(expected.note);
      else expect(decision.note).toBeUndefined();
    }
    if (decision.status === "none") expect(decision.reason).toMatch(expected.reason ?? /./);
  });

  it("without a sha tag, a commit matches by the start of an image tag that is all hex (7 to 40 digits)", () => {
    const image = (tag: string) => ({ tags: {}, image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/platform:${tag}@sha256:${"0".repeat(64)}` });
    expect(runsCommit(image("0123456789abcdef0123456789abcdef01234567"), "0123456")).toBe(true);
    expect(runsCommit(image("0123456789abcdef0123456789abcdef01234567"), "1234567")).toBe(false);
    expect(runsCommit(image("abcdef1-dirty"), "abcdef1")).toBe(false);
    expect(runsCommit(image("abcdef1-abcdef1"), "abcdef1")).toBe(false);
    expect(runsCommit(image("abcdefg123"), "abcdefg")).toBe(false);
    expect(runsCommit({ tags: {} }, "abcdef1")).toBe(false);
  });

  it("a commit matches by the start of the sha tag, not its end", () => {
    const record = { tags: { [TAG.sha]: "0123456789abcdef0123456789abcdef01234567" } };
    expect(runsCommit(record, "0123456")).toBe(true);
    expect(runsCommit(record, "1234567")).toBe(false);
  });

  it("matches the commit by image tag when a revision has no sha tag", () => {
    const record = { ...rev(5), image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/platform:${SHA("f")}` };
    const decision = selectRollbackTarget({ to: { kind: "sha", sha: "fffffff" }, current, revisions: [record], exhausted: true });
    expect(decision).toMatchObject({ status: "found", target: { revision: 5 } });
  });
});

describe("selectRollbackTarget within an environment", () => {
  // prod: A=1, B=2; staging: B=3; prod: C=4 (current). A revision recording no environment (0) counts for every one.
  const prod = (revision: number, sha: string, outcome = "stable"): RevisionRecord => rev(revision, outcome, { sha: SHA(sha), environment: "prod" });
  const shared = [prod(4, "c"), rev(3, "stable", { sha: SHA("b"), environment: "staging" }), prod(2, "b"), prod(1, "a")];
  const current = { family: "web", revision: 4 };
  type Row = [string, RollbackTo, readonly RevisionRecord[], string | undefined, { status: string; revision?: number; note?: RegExp; reason?: RegExp }];
  it.each<Row>([
    ["previous skips another environment's newer stable revision", { kind: "previous" }, shared, "prod", { status: "found", revision: 2 }],
    ["without an environment, every revision counts (as before)", { kind: "previous" }, shared, undefined, { status: "found", revision: 3 }],
    ["sha: takes the commit's revision of the environment", { kind: "sha", sha: "bbbbbbb" }, shared, "prod", { status: "found", revision: 2 }],
    ["sha: only another environment runs it: none, naming it", { kind: "sha", sha: "bbbbbbb" }, [prod(4, "c"), rev(3, "stable", { sha: SHA("b"), environment: "staging" })], "prod", { status: "none", reason: /in this environment runs commit bbbbbbb; only other environments' revisions run it: web:3 \(staging\)/ }],
    ["a revision recording no environment counts, with a note", { kind: "previous" }, [prod(4, "c"), rev(3, "stable", { environment: "staging" }), rev(2, "stable")], "prod", { status: "found", revision: 2, note: /records no environment/ }],
    ["named, another environment's revision is allowed with a note", { kind: "revision", revision: 3 }, shared, "prod", { status: "found", revision: 3, note: /released to environment staging, not prod/ }],
    ["never-ran is neither known-good nor a fallback", { kind: "previous" }, [prod(4, "c"), prod(3, "b", "never-ran"), prod(2, "a", "never-ran"), rev(1, undefined, { environment: "prod" })], "prod", { status: "found", revision: 1, note: /falling back/ }],
  ])("%s", (_title, to, revisions, environment, expected) => {
    const decision = selectRollbackTarget({ to, current, revisions, exhausted: true, environment });
    expect(decision.status).toBe(expected.status);
    if (decision.status === "found") {
      expect(decision.target.revision).toBe(expected.revision);
      if (expected.note) expect(decision.note).toMatch(expected.note);
      else expect(decision.note).toBeUndefined();
    }
    if (decision.status === "none") expect(decision.reason).toMatch(expected.reason ?? /./);
  });
});

describe("selectRevisionsToDeregister", () => {
  type Row = [string, { target: RevisionRecord; from: RevisionRecord[]; revisions: RevisionRecord[]; inUse?: Record<string, string[]> }, number[], number[]];
  it.each<Row>([
    ["the one rolled back from and the failed ones newer than the target", { target: rev(2, "stable"), from: [rev(4, "stable")], revisions: [rev(5, "failed"), rev(4, "stable"), rev(3, "failed"), rev(2, "stable"), rev(1, "failed")] }, [5, 4, 3], []],
    ["never one a service in the cluster still uses", { target: rev(2, "stable"), from: [rev(4, "stable")], revisions: [rev(4, "stable"), rev(3, "failed")], inUse: { [ARN("web", 4)]: ["web-canary"] } }, [3], [4]],
    ["never one tagged to keep", { target: rev(2), from: [rev(4)], revisions: [rev(3, "failed", { keep: true })] }, [4], [3]],
    ["never the target, never INACTIVE ones", { target: rev(3, "failed"), from: [rev(3, "failed"), rev(4)], revisions: [rev(5, "failed", { status: "INACTIVE" })] }, [4], []],
    ["not unknown or stable revisions between target and current", { target: rev(1, "stable"), from: [rev(4)], revisions: [rev(3), rev(2, "stable")] }, [4], []],
    ["never the target found among the failed revisions (--to named a failed one)", { target: rev(3, "failed"), from: [rev(4)], revisions: [rev(4), rev(3, "failed")] }, [4], []],
    ["not failed ones of another family", { target: rev(1, "stable"), from: [rev(4)], revisions: [rev(3, "failed", { family: "worker" })] }, [4], []],
  ])("%s", (_title, input, deregistered, spared) => {
    const selection = selectRevisionsToDeregister({
      target: input.target,
      rolledBackFrom: input.from,
      revisions: input.revisions,
      inUse: new Map(Object.entries(input.inUse ?? {})),
    });
    expect(selection.deregister.map((r) => r.revision)).toEqual(deregistered);
    expect(selection.spared.map((s) => s.record.revision)).toEqual(spared);
  });

  it("says why a revision is spared", () => {
    const selection = selectRevisionsToDeregister({ target: rev(1), rolledBackFrom: [rev(2)], revisions: [], inUse: new Map([[ARN("web", 2), ["web-b", "web-a"]]]) });
    expect(selection.spared[0]?.reason).toBe("still used by web-a, web-b");
  });
});
