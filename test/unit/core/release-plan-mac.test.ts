/**
 * What a plan's KMS MAC covers (planMacMessage): the SHA-256 of the plan's canonical JSON without its
 * `mac` — every other field changes it, the MAC itself does not, and key order does not.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson, planMacMessage, type SavedPlan } from "../../../src/core/release-plan-file.js";

const plan: SavedPlan = { version: 1, createdAt: "2026-01-01T00:00:00.000Z", cluster: "prod", ssmPath: "/app/prod", image: "repo@sha256:abc", families: [] };
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

describe("planMacMessage", () => {
  it("is the SHA-256 of the canonical JSON without the mac (32 bytes)", () => {
    const message = planMacMessage({ ...plan, mac: { keyArn: "arn:aws:kms:us-east-1:1:key/k", algorithm: "HMAC_SHA_256", value: "AAAA" } });
    expect(hex(message)).toBe(createHash("sha256").update(canonicalJson(plan)).digest("hex"));
    expect(message).toHaveLength(32);
  });

  it("changes with any field but the mac; not with key order", () => {
    const base = hex(planMacMessage(plan));
    expect(hex(planMacMessage({ ...plan, cluster: "staging" }))).not.toBe(base);
    expect(hex(planMacMessage({ ...plan, imageTag: "repo:abc" }))).not.toBe(base);
    expect(hex(planMacMessage({ ...plan, mac: { keyArn: "x", algorithm: "y", value: "z" } }))).toBe(base);
    const { cluster, ...rest } = plan;
    expect(hex(planMacMessage({ cluster, ...rest }))).toBe(base);
  });
});
