import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { brotliCompressSync, constants } from "node:zlib";

/**
 * The largest base64 text one environment variable carries. Linux refuses any single argv or
 * environment string over 128 KiB (MAX_ARG_STRLEN) when a process starts; this stays well below.
 */
export const MAX_PART_CHARS = 96 * 1024;

/** The CLI bundle packed for the orb: base64 of its brotli compression, in parts, and its SHA-256. */
export interface PackedBundle {
  readonly parts: readonly string[];
  /** SHA-256 (hex) of the uncompressed bundle, checked after unpacking. */
  readonly sha256: string;
}

/** Compresses the bundle (brotli, best quality; deterministic) and splits its base64 into parts. */
export function packBundle(bundle: string | Uint8Array, maxPartChars: number = MAX_PART_CHARS): PackedBundle {
  const bytes = typeof bundle === "string" ? Buffer.from(bundle, "utf8") : Buffer.from(bundle);
  const compressed = brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  const base64 = compressed.toString("base64");
  const parts: string[] = [];
  for (let start = 0; start < base64.length; start += maxPartChars) parts.push(base64.slice(start, start + maxPartChars));
  return { parts, sha256: createHash("sha256").update(bytes).digest("hex") };
}

/**
 * The text of a helper script from src/orb/scripts/ as the orb embeds it: the code as written, without
 * its whole-line comments and blank lines (every CLI job carries it, within the config budget; the
 * explanations stay in the source, which the first line names).
 */
export function readScript(name: "unpack-cli.js" | "configure-aws-oidc.sh"): string {
  const text = readFileSync(new URL(`./scripts/${name}`, import.meta.url), "utf8");
  const comment = name.endsWith(".js") ? "//" : "#";
  const code = text.split("\n").filter((line) => line.trim() !== "" && !line.trimStart().startsWith(comment));
  return [`${comment} ecs-release orb: src/orb/scripts/${name} (explained there)`, ...code, ""].join("\n");
}
