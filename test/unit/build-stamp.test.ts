import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BUILD_SETTINGS, changedSince, fileDigest, sourceDirectories, staleness, type BuildStamp } from "../../scripts/build-stamp.js";

// The freshness test reuses dist/ only when the stamp proves it is what the sources build (scripts/build-stamp.ts).
describe("staleness of the builds in dist/", () => {
  const settings = Object.fromEntries(BUILD_SETTINGS.map((path) => [path, `d-${path}`]));
  const stamp: BuildStamp = { esbuild: "0.28.2", inputs: { "src/cli/main.ts": "d1", ...settings }, outputs: { "dist/ecs-release.cjs": "d2" } };
  const files: Record<string, string> = { "src/cli/main.ts": "d1", "dist/ecs-release.cjs": "d2", ...settings };

  it.each<[string, BuildStamp | undefined, string, Record<string, string | undefined>, RegExp | undefined]>([
    ["unchanged", stamp, "0.28.2", {}, undefined],
    ["no stamp", undefined, "0.28.2", {}, /no build stamp/],
    ["another esbuild", stamp, "0.29.0", {}, /esbuild 0\.28\.2 built them, this is 0\.29\.0/],
    ["a source changed", stamp, "0.28.2", { "src/cli/main.ts": "d9" }, /src\/cli\/main\.ts changed/],
    ["a source deleted", stamp, "0.28.2", { "src/cli/main.ts": undefined }, /src\/cli\/main\.ts changed/],
    ["a build edited by hand", stamp, "0.28.2", { "dist/ecs-release.cjs": "d9" }, /dist\/ecs-release\.cjs changed/],
    ["the lock file changed", stamp, "0.28.2", { "package-lock.json": "d9" }, /package-lock\.json changed/],
    ["a stamp without the settings", { ...stamp, inputs: { "src/cli/main.ts": "d1" } }, "0.28.2", {}, /does not cover the build settings/],
  ])("%s", (_name, given, esbuild, changes, reason) => {
    const now: Record<string, string | undefined> = { ...files, ...changes };
    const reasons = staleness(given, esbuild, (path) => now[path]);
    if (reason === undefined) expect(reasons).toEqual([]);
    else expect(reasons.join("; ")).toMatch(reason);
  });
});

describe("what the stamp records beyond the files read", () => {
  it("a source directory's listing: a file added beside the sources changes it", () => {
    const dir = mkdtempSync(join(tmpdir(), "stamp-dir-"));
    try {
      writeFileSync(join(dir, "a.ts"), "export const a = 1;\n");
      const before = fileDigest(`${dir}/`);
      writeFileSync(join(dir, "a.ts"), "export const a = 2;\n");
      expect(fileDigest(`${dir}/`)).toBe(before);
      writeFileSync(join(dir, "a.js"), "export const a = 3;\n");
      expect(fileDigest(`${dir}/`)).not.toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("directories of the TypeScript sources only: node_modules is pinned by the lock file", () => {
    expect(sourceDirectories(["src/cli/main.ts", "src/cli/bin.ts", "src/orb/x.ts", "node_modules/@aws-sdk/client-ecs/dist-es/index.js", "node_modules/a/b.ts", "package.json"]).sort()).toEqual(["src/cli/", "src/orb/"]);
  });

  it("an input modified once the build had started is reported (the build then writes no stamp)", () => {
    const dir = mkdtempSync(join(tmpdir(), "stamp-race-"));
    try {
      const [old, edited] = [join(dir, "old.ts"), join(dir, "edited.ts")];
      writeFileSync(old, "x");
      writeFileSync(edited, "x");
      const started = Date.now();
      utimesSync(old, new Date(started - 60_000), new Date(started - 60_000));
      // Modified a second after the build started, whatever the machine's pace between these lines.
      utimesSync(edited, new Date(started + 1_000), new Date(started + 1_000));
      expect(changedSince([old, edited], started)).toEqual([edited]);
      expect(changedSince([join(dir, "deleted.ts")], started)).toEqual([join(dir, "deleted.ts")]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
