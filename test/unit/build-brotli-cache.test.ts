import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cachedBrotli } from "../../scripts/brotli-cache.js";
import { brotliBest } from "../../src/orb/embed.js";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function cacheDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "brotli-cache-"));
  dirs.push(dir);
  return dir;
}

/** brotliBest, counting its calls. */
function counting(): { compress: (bytes: Buffer) => Buffer; calls: number } {
  const counter = { calls: 0, compress: (bytes: Buffer) => (counter.calls++, brotliBest(bytes)) };
  return counter;
}

describe("cachedBrotli: the orb's compression of a build, cached by content", () => {
  const bundle = Buffer.from(`#!/usr/bin/env node\n${"console.log('ecs-release');\n".repeat(200)}`);

  it("the same bytes as brotliBest; the second time read from the cache, not compressed", () => {
    const dir = cacheDir();
    const counter = counting();
    const first = cachedBrotli(dir, counter.compress)(bundle);
    const second = cachedBrotli(dir, counter.compress)(Buffer.from(bundle));
    expect(first.equals(brotliBest(bundle))).toBe(true);
    expect(second.equals(first)).toBe(true);
    expect(counter.calls).toBe(1);
    expect(readdirSync(dir)).toHaveLength(1);
  });

  it("changed bytes are compressed anew (never an old compression)", () => {
    const dir = cacheDir();
    const counter = counting();
    const changed = Buffer.from(`${bundle.toString()}// changed\n`);
    cachedBrotli(dir, counter.compress)(bundle);
    const out = cachedBrotli(dir, counter.compress)(changed);
    expect(out.equals(brotliBest(changed))).toBe(true);
    expect(counter.calls).toBe(2);
  });

  it("a damaged cache file is not used: compressed anew and replaced", () => {
    const dir = cacheDir();
    cachedBrotli(dir)(bundle);
    const [file] = readdirSync(dir);
    writeFileSync(join(dir, file!), "not brotli");
    const counter = counting();
    expect(cachedBrotli(dir, counter.compress)(bundle).equals(brotliBest(bundle))).toBe(true);
    expect(counter.calls).toBe(1);
    expect(cachedBrotli(dir, counter.compress)(bundle).equals(brotliBest(bundle))).toBe(true);
    expect(counter.calls).toBe(1);
  });

  it("an unwritable cache directory still compresses", () => {
    const file = join(cacheDir(), "a-file");
    writeFileSync(file, "");
    expect(cachedBrotli(join(file, "brotli"))(bundle).equals(brotliBest(bundle))).toBe(true);
  });
});
