/**
 * The one place a commit SHA is resolved (release, push): the decision is core/commit-sha.ts's;
 * this reads `git rev-parse HEAD` only when the decision needs it.
 */
import { execFile } from "node:child_process";
import { decideCommitSha, type CommitShaSources, type GitHead } from "../core/commit-sha.js";

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
