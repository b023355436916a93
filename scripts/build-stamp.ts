// What `npm run build` built from: the SHA-256 of every file esbuild read for the CLI builds (sources,
// SDK modules), of the build's own settings (this script, package.json, package-lock.json,
// tsconfig.json) and of each build it wrote, with esbuild's version. `npm run build -- --check` (the
// freshness test) reuses the builds in dist/ only when all of these are unchanged — the same inputs
// through the same esbuild make the same bytes — and otherwise rebuilds them in memory.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";

/** The record written to dist/build-stamp.json. */
export interface BuildStamp {
  readonly esbuild: string;
  /** Path (relative to the project) → SHA-256 of its content. */
  readonly inputs: Readonly<Record<string, string>>;
  readonly outputs: Readonly<Record<string, string>>;
}

/** Where the stamp is written. */
export const STAMP_PATH = "dist/build-stamp.json";

/** Files that decide a build besides the ones esbuild reads (cli-builds.ts: which commands each job build has, read by build.ts only). */
export const BUILD_SETTINGS = ["scripts/build.ts", "scripts/compile-cache.js", "scripts/build-stamp.ts", "scripts/compact-errors.ts", "src/orb/cli-builds.ts", "package.json", "package-lock.json", "tsconfig.json"];

/** SHA-256 of a file, or undefined when it cannot be read. */
export function fileDigest(path: string): string | undefined {
  try {
    return createHash("sha256").update(readFileSync(path)).digest("hex");
  } catch {
    return undefined;
  }
}

/** The stamp of `inputs` and `outputs` (paths; contents read now). */
export function makeStamp(esbuild: string, inputs: Iterable<string>, outputs: Iterable<string>): BuildStamp {
  const digests = (paths: Iterable<string>) => Object.fromEntries([...new Set(paths)].sort().map((path) => [path, fileDigest(path) ?? "unreadable"]));
  return { esbuild, inputs: digests(inputs), outputs: digests(outputs) };
}

/** Why the builds in dist/ cannot stand for a fresh build (a list of reasons), or [] when they can. */
export function staleness(stamp: BuildStamp | undefined, esbuild: string, digest: (path: string) => string | undefined = fileDigest): string[] {
  if (stamp === undefined) return ["no build stamp (run npm run build)"];
  const reasons: string[] = [];
  if (stamp.esbuild !== esbuild) reasons.push(`esbuild ${stamp.esbuild} built them, this is ${esbuild}`);
  for (const [path, recorded] of Object.entries({ ...stamp.inputs, ...stamp.outputs })) if (digest(path) !== recorded) reasons.push(`${path} changed`);
  if (!BUILD_SETTINGS.every((path) => path in stamp.inputs)) reasons.push("the stamp does not cover the build settings");
  return reasons;
}

/** The stamp on disk, or undefined. */
export function readStamp(path = STAMP_PATH): BuildStamp | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as BuildStamp;
  } catch {
    return undefined;
  }
}
