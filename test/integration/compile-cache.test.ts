/**
 * The full build's compile cache (scripts/compile-cache.js): V8's code cache of each chunk, kept in
 * ECS_RELEASE_COMPILE_CACHE or under the temporary directory. A run fills it; the next run is given
 * it and V8 accepts it (a file V8 refuses is written again, so an accepted one is left as it was);
 * a damaged file — cut short, or changed in place, which V8 itself would not notice — changes nothing
 * the command does and is written anew; a directory others may write, a link and a file others may
 * write are not used; `off` writes nothing; a command that needs only the entry's first chunks
 * (--version) does not set it up.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cachedDataVersionTag } from "node:v8";
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
      expect(name).toMatch(new RegExp(`^[0-9a-f]{16}-${cachedDataVersionTag()}-[\\w-]+\\.js\\.v8$`));
      expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
    }
    expect(run({ ECS_RELEASE_COMPILE_CACHE: dir })).toEqual(without);
    expect(files(dir)).toEqual(filled);
  });

  it("replaces a damaged file, cut short or changed in place, and does the same as without it", () => {
    const dir = join(base, "damaged");
    run({ ECS_RELEASE_COMPILE_CACHE: dir });
    const largest = [...files(dir)].sort((a, b) => b[1][2] - a[1][2]).map(([name]) => name);
    const [cut, changed] = largest as [string, string];
    const sizeOf = (name: string) => statSync(join(dir, name)).size;
    const sizes = { cut: sizeOf(cut), changed: sizeOf(changed) };
    writeFileSync(join(dir, cut), readFileSync(join(dir, cut)).subarray(0, sizes.cut - 100));
    // The same length, bytes of the code changed: V8 checks only the source's length, and such data can crash it.
    const bytes = readFileSync(join(dir, changed));
    for (let i = 2000; i < Math.min(6000, bytes.length); i++) bytes[i] = (bytes[i] ?? 0) ^ 0xff;
    writeFileSync(join(dir, changed), bytes);
    const damaged = files(dir);
    expect(run({ ECS_RELEASE_COMPILE_CACHE: dir })).toEqual(without);
    const rewritten = files(dir);
    for (const name of [cut, changed]) {
      expect(rewritten.get(name)?.[0], `${name} written anew`).not.toBe(damaged.get(name)?.[0]);
      // Its size is its code's again (which functions had been compiled may differ by a few bytes).
      expect(Math.abs((rewritten.get(name)?.[2] ?? 0) - sizes[name === cut ? "cut" : "changed"])).toBeLessThan(100);
    }
    expect(run({ ECS_RELEASE_COMPILE_CACHE: dir })).toEqual(without);
    expect(files(dir)).toEqual(rewritten);
  });

  it("reads no file others may write and follows no link", () => {
    const dir = join(base, "links");
    run({ ECS_RELEASE_COMPILE_CACHE: dir });
    const [writable, linked] = [...files(dir).keys()] as [string, string];
    chmodSync(join(dir, writable), 0o666);
    const elsewhere = join(base, "elsewhere.v8");
    copyFileSync(join(dir, linked), elsewhere);
    unlinkSync(join(dir, linked));
    symlinkSync(elsewhere, join(dir, linked));
    const before = files(dir);
    expect(run({ ECS_RELEASE_COMPILE_CACHE: dir })).toEqual(without);
    const after = files(dir);
    // Both refused, so both written anew: new files (new inodes), private again.
    for (const name of [writable, linked]) {
      expect(after.get(name)?.[0], name).not.toBe(before.get(name)?.[0]);
      expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
    }
    // A directory given as a link is not used: a file cut short there stays as it is (a cache in use would write it anew).
    const linkedDir = join(base, "linked-dir");
    symlinkSync(dir, linkedDir);
    writeFileSync(join(dir, writable), readFileSync(join(dir, writable)).subarray(0, 100));
    const cut = files(dir);
    expect(run({ ECS_RELEASE_COMPILE_CACHE: linkedDir })).toEqual(without);
    expect(files(dir)).toEqual(cut);
  });

  it("is not set up for a command that loads only the entry's first 64 KiB of chunks (--version, --help, a bad flag)", () => {
    const dir = join(base, "light");
    for (const args of [["--version"], ["--help"], ["release", "--no-such-flag"]]) {
      const out = spawnSync(process.execPath, [BUNDLE, ...args], { encoding: "utf8", env: { PATH: process.env["PATH"] ?? "", ECS_RELEASE_COMPILE_CACHE: dir } });
      expect(out.status, args.join(" ")).toBe(args[0] === "release" ? 2 : 0);
    }
    expect(() => readdirSync(dir)).toThrow(/ENOENT/);
    run({ ECS_RELEASE_COMPILE_CACHE: dir });
    expect(readdirSync(dir).length).toBeGreaterThan(10);
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
