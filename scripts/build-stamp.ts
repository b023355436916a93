// What `npm run build` built from: the SHA-256 of every file esbuild read for the CLI builds (sources,
// SDK modules), of the listing of each source directory it read from (a file added beside them can
// change what an import resolves to), of the build's own settings (this script, package.json,
// package-lock.json, tsconfig.json) and of each build it wrote, with esbuild's version. `npm run build`
// and its `--check` (the freshness test) reuse the builds in dist/ only when all of these are
// unchanged — the same inputs through the same esbuild make the same bytes — and otherwise build them
// anew. The digests are taken after the builds; a build during which an input was modified writes no
// stamp (changedSince), so what it read and what the stamp says can never differ.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";

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

/** SHA-256 of a file, or of a directory's sorted entry names (a path ending in /); undefined when it cannot be read. */
export function fileDigest(path: string): string | undefined {
  try {
    if (path.endsWith("/")) return createHash("sha256").update(readdirSync(path).sort().join("\n")).digest("hex");
    return createHash("sha256").update(readFileSync(path)).digest("hex");
  } catch {
    return undefined;
  }
}

/**
 * The directories (with a trailing /) of the TypeScript sources read: an import of `./x.js` resolves to
 * x.ts only while no x.js is beside it. node_modules is left out: the lock file pins its packages.
 */
export function sourceDirectories(inputs: Iterable<string>): string[] {
  return [...new Set([...inputs].filter((path) => /\.[cm]?tsx?$/.test(path) && !path.split("/").includes("node_modules")).map((path) => `${dirname(path)}/`))];
}

/** The inputs modified at or after `startedMs` (less a margin for the clocks' steps): a build that read them may have read either version. */
export function changedSince(inputs: Iterable<string>, startedMs: number): string[] {
  return [...inputs].filter((path) => {
    try {
      return statSync(path).mtimeMs >= startedMs - 50;
    } catch {
      return true;
    }
  });
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
