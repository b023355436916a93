import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeBase85, encodeBase85, PACK_ALPHABET, packBundle } from "../../../src/orb/embed.js";

describe("the orb's base-85 packing of the CLI", () => {
  it("has 85 distinct printable characters, none that YAML, a shell or CircleCI's << >> syntax could read as more than data", () => {
    expect(new Set(PACK_ALPHABET).size).toBe(85);
    for (const c of "\"'\\<>$`{} \n") expect(PACK_ALPHABET, JSON.stringify(c)).not.toContain(c);
  });

  it.each([0, 1, 2, 3, 4, 5, 7, 8, 1023, 4096])("round-trips %i bytes, writing a last group of n bytes as n + 1 digits", (length) => {
    const bytes = randomBytes(length);
    const text = encodeBase85(bytes);
    expect(text.length).toBe(Math.floor(length / 4) * 5 + (length % 4 === 0 ? 0 : (length % 4) + 1));
    expect(decodeBase85(text).equals(bytes)).toBe(true);
  });

  it("round-trips the extremes of a group (all zero and all 0xff bytes)", () => {
    for (const bytes of [Buffer.alloc(9, 0), Buffer.alloc(9, 0xff)]) expect(decodeBase85(encodeBase85(bytes)).equals(bytes)).toBe(true);
  });

  it("is smaller than base64 by a sixteenth of the compressed bundle, in parts under the per-variable limit", () => {
    const bundle = randomBytes(300_000); // incompressible: the packed size is the encoding's alone
    const packed = packBundle(bundle, 96 * 1024);
    const total = packed.parts.join("").length;
    expect(total).toBeLessThan(Math.ceil(bundle.length / 3) * 4 * 0.95);
    for (const part of packed.parts) expect(part.length).toBeLessThanOrEqual(96 * 1024);
  });
});
