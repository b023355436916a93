/**
 * The one commit-SHA resolver (src/git/commit-sha.ts): git is asked only when nothing else names the
 * commit, and a real `git rev-parse HEAD` in a checkout — or outside one — gives what the decision
 * table (test/unit/core/commit-sha.test.ts) says.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { GitHead } from "../../../src/core/commit-sha.js";
import { isValidationError } from "../../../src/core/errors.js";
import { expandShaPrefix, readGitHead, resolveCommitSha } from "../../../src/git/commit-sha.js";

const root = mkdtempSync(join(tmpdir(), "commit-sha-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const SHA = "a".repeat(40);

function checkout(): { dir: string; head: string } {
  const dir = mkdtempSync(join(root, "repo-"));
  const git = (...args: string[]): string => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: dir, encoding: "utf8" }).trim();
  git("init", "-q");
  git("commit", "-q", "--allow-empty", "-m", "one");
  return { dir, head: git("rev-parse", "HEAD") };
}

describe("resolveCommitSha", () => {
  it("does not run git when --sha, the image's tag or CIRCLE_SHA1 names the commit", async () => {
    const asked: Array<string | undefined> = [];
    const readHead = async (directory?: string): Promise<GitHead> => {
      asked.push(directory);
      return { head: "b".repeat(40) };
    };
    expect(await resolveCommitSha({ flag: SHA }, true, readHead)).toBe(SHA);
    expect(await resolveCommitSha({ image: `registry.example/web:${SHA}` }, false, readHead)).toBe(SHA);
    expect(await resolveCommitSha({ circleSha1: SHA, gitDirectory: "/ctx" }, true, readHead)).toBe(SHA);
    expect(asked).toEqual([]);
    expect(await resolveCommitSha({ gitDirectory: "/ctx" }, true, readHead)).toBe("b".repeat(40));
    expect(asked).toEqual(["/ctx"]);
  });

  it("reads HEAD of a real checkout", async () => {
    const { dir, head } = checkout();
    expect(await readGitHead(dir)).toEqual({ head });
    expect(await resolveCommitSha({ gitDirectory: dir }, true)).toBe(head);
  });

  it("outside a checkout: no SHA when none is required, a ValidationError naming the directory when one is", async () => {
    const dir = mkdtempSync(join(root, "plain-"));
    const env = process.env["GIT_CEILING_DIRECTORIES"];
    process.env["GIT_CEILING_DIRECTORIES"] = root; // git must not find a repository above the temporary directory
    try {
      expect(await readGitHead(dir)).toEqual({ failure: expect.stringMatching(/not a git repository/) });
      expect(await resolveCommitSha({ gitDirectory: dir }, false)).toBeUndefined();
      const error = await resolveCommitSha({ gitDirectory: dir }, true).catch((e: unknown) => e);
      expect(isValidationError(error)).toBe(true);
      expect((error as Error).message).toMatch(new RegExp(`^no commit SHA: pass --sha, set CIRCLE_SHA1, or run inside a git checkout \\(git rev-parse HEAD in ${dir}: .*not a git repository`));
    } finally {
      if (env === undefined) delete process.env["GIT_CEILING_DIRECTORIES"];
      else process.env["GIT_CEILING_DIRECTORIES"] = env;
    }
  });
});

describe("expandShaPrefix (push --sha PREFIX)", () => {
  it("turns a unique prefix into the full commit git knows in the build context; a full SHA is not looked up", async () => {
    const { dir, head } = checkout();
    expect(await expandShaPrefix(head.slice(0, 12), dir)).toBe(head);
    expect(await expandShaPrefix(head.slice(0, 7).toUpperCase(), dir)).toBe(head);
    expect(await expandShaPrefix(SHA, "/nonexistent")).toBe(SHA);
  });

  it("refuses (exit 2) a prefix git cannot resolve to one commit, asking for the full SHA", async () => {
    const { dir } = checkout();
    const error = await expandShaPrefix("abcdef0", dir).catch((e: unknown) => e);
    expect(isValidationError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^--sha abcdef0: git cannot resolve it to one commit in .* pass the full 40-digit SHA$/);
  });
});
