/** A throwaway git repository for `checkout`: a FROM-scratch Containerfile and a file to copy. */
import { execFileSync } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fixture repository and its one commit. */
export interface FixtureRepository {
  readonly path: string;
  readonly sha: string;
}

/** Creates the repository; `files` are added to the defaults. */
export async function createFixtureRepository(files: Record<string, string> = {}): Promise<FixtureRepository> {
  const path = await mkdtemp(join(tmpdir(), "orb-fixture-repo-"));
  const all: Record<string, string> = {
    "Dockerfile": "FROM scratch\nCOPY hello.txt /hello.txt\n",
    "hello.txt": "hello from the fixture\n",
    ...files,
  };
  for (const [name, text] of Object.entries(all)) await writeFile(join(path, name), text);
  const git = (...args: string[]) => execFileSync("git", args, { cwd: path, encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" } }).trim();
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("commit", "-q", "-m", "fixture");
  return { path, sha: git("rev-parse", "HEAD") };
}
