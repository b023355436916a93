/**
 * The full build's compile cache (scripts/compile-cache.js): V8's code cache of each chunk, kept in
 * ECS_RELEASE_COMPILE_CACHE or under the temporary directory. A run fills it; the next run is given
 * it and V8 accepts it (a file V8 refuses is written again, so an accepted one is left as it was);
 * a damaged file changes nothing the command does; a directory others may write is not used; `off`
 * writes nothing.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BUNDLE } from "../helpers/cli.js";

/** A command that loads the SDK's chunks and ends without AWS: release with no credentials (exit 2, one line). */
const RELEASE = ["release", "--cluster", "c", "--service", "web", "--ssm-path", "/a", "--repository", "r", "--sha", "a".repeat(40), "--region", "eu-west-1"];

function run(env: Record<string, string>): { status: number | null; stderr: string } {
  const out = spawnSync(process.execPath, [BUNDLE, ...RELEASE], { encoding: "utf8", env: { PATH: process.env["PATH"] ?? "", NO_COLOR: "1", AWS_EC2_METADATA_DISABLED: "true", ...env } });
  // The log lines start with a timestamp: compare what follows it.
  return { status: out.status, stderr: out.stderr.replace(/^\S+Z /gm, "") };
}

/** Each cache file's name → [inode, mtime, size]. */
function files(dir: string): Map<string, [number, number, number]> {
  return new Map(readdirSync(dir).map((name) => [name, ((s) => [s.ino, s.mtimeMs, s.size] as [number, number, number])(statSync(join(dir, name)))]));
}

describe("the full build's compile cache", () => {
  const base = mkdtempSync(join(tmpdir(), "ecs-release-compile-cache-test-"));
  const without = run({ ECS_RELEASE_COMPILE_CACHE: "off", TMPDIR: join(base, "unused") });

  it("is filled by a run, private to the user, and used as it is by the next run", () => {
    expect(without.status).toBe(2);
    expect(without.stderr).toMatch(/^error: no AWS credentials found/);
    const dir = join(base, "cache");
    expect(run({ ECS_RELEASE_COMPILE_CACHE: dir })).toEqual(without);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const filled = files(dir);
    const names = [...filled.keys()];
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) {
      expect(name).toMatch(new RegExp(`^[0-9a-f]{16}-${process.version.replace(/\./g, "\\.")}-${process.arch}-[\\w-]+\\.js\\.v8$`));
      expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
    }
    expect(run({ ECS_RELEASE_COMPILE_CACHE: dir })).toEqual(without);
    expect(files(dir)).toEqual(filled);
  });

  it("replaces a damaged file and does the same as without it", () => {
    const dir = join(base, "damaged");
    run({ ECS_RELEASE_COMPILE_CACHE: dir });
    const [name, [, , size]] = [...files(dir)].sort((a, b) => b[1][2] - a[1][2])[0] as [string, [number, number, number]];
    const damaged = Buffer.from(readFileSync(join(dir, name)));
    damaged.fill(0x5a, 64, Math.min(damaged.length, 4096));
    writeFileSync(join(dir, name), damaged.subarray(0, size - 100));
    expect(run({ ECS_RELEASE_COMPILE_CACHE: dir })).toEqual(without);
    // Written anew (its size is its code's again: which functions had been compiled may differ by a few bytes), then used as it is.
    expect(Math.abs(statSync(join(dir, name)).size - size)).toBeLessThan(100);
    const rewritten = files(dir);
    expect(run({ ECS_RELEASE_COMPILE_CACHE: dir })).toEqual(without);
    expect(files(dir)).toEqual(rewritten);
  });

  it("does not use a directory that others may write, and writes nothing when off", () => {
    const shared = join(base, "shared");
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    expect(run({ ECS_RELEASE_COMPILE_CACHE: shared })).toEqual(without);
    expect(readdirSync(shared)).toEqual([]);
    const temporary = join(base, "tmp");
    mkdirSync(temporary);
    expect(run({ ECS_RELEASE_COMPILE_CACHE: "off", TMPDIR: temporary })).toEqual(without);
    expect(readdirSync(temporary)).toEqual([]);
    run({ TMPDIR: temporary });
    expect(readdirSync(temporary)).toEqual([`ecs-release-compile-cache-${process.getuid?.() ?? "user"}`]);
  });
});
