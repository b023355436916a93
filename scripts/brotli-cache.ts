/**
 * The orb's brotli compression of each CLI build (src/orb/embed.ts, quality 11: seconds per build),
 * cached on disk by content: the file is named by the SHA-256 of the input and the brotli version, so
 * the same bytes always give the same compressed bytes (brotli is deterministic) and a changed build
 * is never served an old compression. `npm run build`, the freshness test's `--check` and the demo's
 * build all render the orb from the same builds; only the first compresses. The cache lives under
 * node_modules/.cache (never committed); deleting it costs one slow build, nothing else.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliDecompressSync } from "node:zlib";
import { brotliBest, type Compressor } from "../src/orb/embed.js";

/** Where the compressions are kept. */
export const BROTLI_CACHE_DIR = fileURLToPath(new URL("../node_modules/.cache/ecs-release/brotli", import.meta.url));

/** {@link brotliBest}, read from `dir` when these bytes were compressed before, else compressed and kept there. */
export function cachedBrotli(dir: string = BROTLI_CACHE_DIR, compress: Compressor = brotliBest): Compressor {
  return (bytes) => {
    const key = createHash("sha256").update(`brotli ${process.versions.brotli ?? "?"} quality 11 size-hint\n`).update(bytes).digest("hex");
    const path = join(dir, `${key}.br`);
    try {
      const cached = readFileSync(path);
      // Decompressing takes milliseconds: a damaged file is never embedded, only compressed anew.
      if (brotliDecompressSync(cached).equals(bytes)) return cached;
    } catch {
      // Not cached yet (or unreadable): compress below.
    }
    const compressed = compress(bytes);
    try {
      mkdirSync(dir, { recursive: true });
      // Written aside, then renamed: a concurrent reader sees the whole file or none.
      const partial = `${path}.${process.pid}.tmp`;
      writeFileSync(partial, compressed);
      renameSync(partial, path);
    } catch {
      // A read-only checkout still builds, only without the cache.
    }
    return compressed;
  };
}
