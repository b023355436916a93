/**
 * `npm test`'s type check, skipped by content: after `tsc --noEmit` passes, the SHA-256 of everything
 * it read is kept under node_modules/.cache (never committed). The next `npm test` runs tsc only when
 * that digest differs. `tsc --incremental` alone re-checks only changed files, but it still parses
 * every file of the program, the AWS SDK's declarations among them: about 10 s of CPU for a check
 * that finds nothing new, taken from the tests that run beside it (docs/performance.md, "Builds and
 * type check by content").
 *
 * What tsc reads: the files under tsconfig.json's `include` (read from tsconfig.json, not repeated
 * here), tsconfig.json itself, package.json (imported as JSON, and its `type` decides how NodeNext
 * reads every .ts file) and the installed packages, whose declarations are pinned by the lock files
 * (package-lock.json, and node_modules/.package-lock.json, which npm rewrites on every install,
 * `npm ci` included), with TypeScript's own version. A file added, removed or changed under `include`
 * changes the digest. A tsconfig.json that reads more than that (`extends`, `files`, `references`)
 * has no digest: tsc then always runs. Packages edited by hand inside node_modules are not seen (npm's
 * hidden lock file does not change either): `rm -f node_modules/.cache/ecs-release/typecheck-passed`.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

/** Where the digest of the last passing check is kept. */
export const TYPECHECK_STAMP = "node_modules/.cache/ecs-release/typecheck-passed";

/** Files besides `include`'s whose content decides the check. */
const SETTINGS = ["tsconfig.json", "package.json", "package-lock.json", "node_modules/.package-lock.json", "node_modules/typescript/package.json"];

function filesUnder(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return [];
  }
  if (!stat.isDirectory()) return [path];
  return readdirSync(path).flatMap((name) => filesUnder(join(path, name)));
}

/** The SHA-256 of what `tsc --noEmit` reads in the project at `root`, or undefined when that is not known. */
export function typecheckDigest(root: string): string | undefined {
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(readFileSync(join(root, "tsconfig.json"), "utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (["extends", "files", "references"].some((key) => key in config) || !Array.isArray(config["include"])) return undefined;
  const include = config["include"].map(String);
  const paths = [...SETTINGS.map((path) => join(root, path)), ...include.flatMap((entry) => filesUnder(resolve(root, entry)))];
  const hash = createHash("sha256");
  for (const path of [...new Set(paths)].sort()) {
    let content: Buffer | string;
    try {
      content = readFileSync(path);
    } catch {
      content = "(missing)";
    }
    hash.update(`${relative(root, path)}\0${createHash("sha256").update(content).digest("hex")}\n`);
  }
  return hash.digest("hex");
}

/** Whether the last passing check read exactly this. */
export function typecheckPassedBefore(root: string, digest: string | undefined): boolean {
  if (digest === undefined) return false;
  try {
    return readFileSync(join(root, TYPECHECK_STAMP), "utf8").trim() === digest;
  } catch {
    return false;
  }
}

/** Records that the check of `digest` (taken before tsc ran) passed. */
export function recordTypecheckPassed(root: string, digest: string | undefined): void {
  if (digest === undefined) return;
  const path = join(root, TYPECHECK_STAMP);
  try {
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(`${path}.${process.pid}.tmp`, `${digest}\n`);
    renameSync(`${path}.${process.pid}.tmp`, path);
  } catch {
    // A read-only checkout: the next run checks again.
  }
}
