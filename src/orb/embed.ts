import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { brotliCompressSync, constants } from "node:zlib";
import { transformSync } from "esbuild";

/**
 * The 85 characters the packed CLI is written in: printable ASCII without the nine that YAML, a shell
 * or CircleCI's `<< >>` parameter syntax could read as anything but data (" ' \\ < > $ ` { }).
 * Base 85 writes 4 bytes in 5 characters, where base64 needs 5⅓: every CLI job of the orb is 6 %
 * smaller in the compiled config. The unpack script (scripts/unpack-cli.js) builds the same alphabet.
 */
export const PACK_ALPHABET = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i))
  .filter((c) => !"\"'\\<>$`{}".includes(c))
  .join("");

/** Writes bytes in base 85 (PACK_ALPHABET): each 4 bytes as 5 digits, big-endian; a last group of n bytes as n + 1 digits. */
export function encodeBase85(bytes: Uint8Array): string {
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += 4) {
    const n = Math.min(4, bytes.length - i);
    let value = 0;
    for (let j = 0; j < 4; j++) value = value * 256 + (j < n ? (bytes[i + j] ?? 0) : 0);
    const digits: string[] = [];
    for (let j = 0; j < 5; j++) {
      digits.unshift(PACK_ALPHABET[value % 85] ?? "");
      value = Math.floor(value / 85);
    }
    out.push(digits.slice(0, n + 1).join(""));
  }
  return out.join("");
}

/** Reads what encodeBase85 wrote (a partial last group is padded with the highest digit, as Ascii85 does). */
export function decodeBase85(text: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < text.length; i += 5) {
    const group = text.slice(i, i + 5);
    let value = 0;
    for (let j = 0; j < 5; j++) {
      const digit = j < group.length ? PACK_ALPHABET.indexOf(group[j] ?? "") : 84;
      if (digit < 0) throw new Error(`not a base-85 digit: ${JSON.stringify(group[j])}`);
      value = value * 85 + digit;
    }
    const bytes = [Math.floor(value / 2 ** 24) % 256, Math.floor(value / 2 ** 16) % 256, Math.floor(value / 2 ** 8) % 256, value % 256];
    out.push(...bytes.slice(0, group.length - 1));
  }
  return Buffer.from(out);
}

/**
 * The largest packed text one environment variable carries. Linux refuses any single argv or
 * environment string over 128 KiB (MAX_ARG_STRLEN) when a process starts; this stays well below.
 */
export const MAX_PART_CHARS = 96 * 1024;

/** The CLI bundle packed for the orb: its brotli compression in base 85 (PACK_ALPHABET), in parts, and its SHA-256. */
export interface PackedBundle {
  readonly parts: readonly string[];
  /** SHA-256 (hex) of the uncompressed bundle, checked after unpacking. */
  readonly sha256: string;
}

/** A compression of the bundle's bytes; {@link brotliBest} unless a caller caches it. */
export type Compressor = (bytes: Buffer) => Buffer;

/** Brotli at its best quality, with the input's size as hint: deterministic for one brotli version. */
export function brotliBest(bytes: Buffer): Buffer {
  return brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
}

/**
 * Compresses the bundle (brotli, best quality; deterministic) and splits its base-85 text into parts.
 * `compress` is {@link brotliBest} or the same bytes from a cache (scripts/brotli-cache.ts).
 */
export function packBundle(bundle: string | Uint8Array, maxPartChars: number = MAX_PART_CHARS, compress: Compressor = brotliBest): PackedBundle {
  const bytes = typeof bundle === "string" ? Buffer.from(bundle, "utf8") : Buffer.from(bundle);
  const compressed = compress(bytes);
  const text = encodeBase85(compressed);
  const parts: string[] = [];
  for (let start = 0; start < text.length; start += maxPartChars) parts.push(text.slice(start, start + maxPartChars));
  return { parts, sha256: createHash("sha256").update(bytes).digest("hex") };
}

/**
 * The text of a helper script from src/orb/scripts/ as the orb embeds it: the code as written, without
 * its whole-line comments and blank lines (every CLI job carries it, within the config budget; the
 * explanations stay in the source, which the first line names).
 */
export function readScript(name: "unpack-cli.js" | "configure-aws-oidc.sh"): string {
  const text = readFileSync(new URL(`./scripts/${name}`, import.meta.url), "utf8");
  // The Node.js script without its whitespace too (esbuild, names and code unchanged): each of its
  // lines would cost the YAML block's indentation in every CLI job.
  if (name.endsWith(".js")) return `// ecs-release orb: src/orb/scripts/${name} (explained there)\n${transformSync(text, { minifyWhitespace: true, legalComments: "none" }).code}`;
  const comment = name.endsWith(".js") ? "//" : "#";
  const code = text.split("\n").filter((line) => line.trim() !== "" && !line.trimStart().startsWith(comment));
  return [`${comment} ecs-release orb: src/orb/scripts/${name} (explained there)`, ...code, ""].join("\n");
}
