/**
 * The one place a commit SHA is resolved (release, push): the decision is core/commit-sha.ts's;
 * this reads `git rev-parse HEAD` only when the decision needs it.
 */
import { execFile } from "node:child_process";
import { decideCommitSha, isFullSha, isShaPrefix, type CommitShaSources, type GitHead } from "../core/commit-sha.js";
import { ValidationError } from "../core/errors.js";

/** `git rev-parse HEAD` in `directory` (default: the working directory); never throws. */
export function readGitHead(directory?: string): Promise<GitHead> {
  return new Promise((resolve) => {
    execFile("git", ["rev-parse", "HEAD"], { encoding: "utf8", ...(directory !== undefined ? { cwd: directory } : {}) }, (error, stdout, stderr) => {
      if (error) resolve({ failure: stderr.trim().split("\n")[0] || error.message });
      else resolve({ head: stdout.trim() });
    });
  });
}

/**
 * The commit SHA from `sources` (see decideCommitSha), reading git HEAD in `sources.gitDirectory`
 * only when nothing else names the commit. Undefined only when not `required`.
 */
export async function resolveCommitSha(sources: Omit<CommitShaSources, "gitHead">, required: true, readHead?: (directory?: string) => Promise<GitHead>): Promise<string>;
export async function resolveCommitSha(sources: Omit<CommitShaSources, "gitHead">, required: boolean, readHead?: (directory?: string) => Promise<GitHead>): Promise<string | undefined>;
export async function resolveCommitSha(
  sources: Omit<CommitShaSources, "gitHead">,
  required: boolean,
  readHead: (directory?: string) => Promise<GitHead> = readGitHead,
): Promise<string | undefined> {
  const first = decideCommitSha(sources, required);
  if (first.kind === "resolved") return first.sha;
  if (first.kind === "none") return undefined;
  const decided = decideCommitSha({ ...sources, gitHead: await readHead(sources.gitDirectory) }, required);
  return decided.kind === "resolved" ? decided.sha : undefined;
}

/**
 * `push --sha PREFIX`: the full commit git knows for a prefix of 7 or more hex digits in `directory`
 * (the build context), so the image is tagged with the full SHA that release looks up
 * (`git rev-parse --verify PREFIX^{commit}`: https://git-scm.com/docs/git-rev-parse). A full SHA, or
 * anything that is not a prefix (push checks its form), is returned as given.
 */
export async function expandShaPrefix(sha: string, directory: string): Promise<string> {
  if (!isShaPrefix(sha)) return sha;
  const answer = await new Promise<{ sha?: string; why: string }>((resolve) => {
    execFile("git", ["rev-parse", "--verify", "--quiet", `${sha.toLowerCase()}^{commit}`], { encoding: "utf8", cwd: directory }, (error, stdout, stderr) => {
      const full = stdout.trim();
      if (!error && isFullSha(full)) resolve({ sha: full, why: "" });
      else resolve({ why: stderr.trim().split("\n")[0] || (error ? "no such commit, or more than one" : `it answered ${JSON.stringify(full.slice(0, 80))}`) });
    });
  });
  if (answer.sha !== undefined) return answer.sha;
  throw new ValidationError(`--sha ${sha}: git cannot resolve it to one commit in ${directory} (${answer.why}): pass the full 40-digit SHA`);
}
