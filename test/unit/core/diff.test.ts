import { describe, expect, it } from "vitest";
import { canonicalJson, diffEnvironment, diffTaskDefinitions, formatEnvironmentChanges, formatTaskDefinitionDiff, recordedSecretValues } from "../../../src/core/diff.js";

const secret = (name: string) => name === "PASS";

describe("diffEnvironment", () => {
  it("adds, removes and changes; never a secret value", () => {
    const before = { environment: [{ name: "A", value: "1" }, { name: "GONE", value: "old-maybe-secret" }, { name: "PASS", value: "old-secret" }] };
    const after = { environment: [{ name: "A", value: "2" }, { name: "NEW", value: "n" }, { name: "PASS", value: "new-secret" }] };
    // The old revision records PASS as a SecureString: the other old values are provably not secret.
    const changes = diffEnvironment(before, after, { isSecret: secret, recordedBefore: new Set(["PASS"]) });
    expect(changes).toEqual([
      { kind: "changed", name: "A", before: "1", after: "2", secret: false },
      { kind: "removed", name: "GONE", secret: false },
      { kind: "added", name: "NEW", after: "n", secret: false },
      { kind: "changed", name: "PASS", secret: true },
    ]);
    const text = formatEnvironmentChanges(changes).join("\n");
    expect(text).not.toMatch(/old-maybe-secret|old-secret|new-secret/);
    expect(text).toContain("~ PASS (secret) changed");
  });

  it("masks an added secret and shows references, a switch between inline and reference is a change", () => {
    const changes = diffEnvironment({ environment: [{ name: "PASS", value: "s" }] }, { secrets: [{ name: "PASS", valueFrom: "arn:p" }] }, secret);
    expect(changes).toEqual([{ kind: "changed", name: "PASS", secret: true }]);
    expect(formatEnvironmentChanges(diffEnvironment({}, { environment: [{ name: "PASS", value: "s" }] }, secret))).toEqual(["  + PASS=****"]);
    expect(formatEnvironmentChanges(diffEnvironment({}, { secrets: [{ name: "X", valueFrom: "arn:x" }] }, secret))).toEqual(["  + X from arn:x"]);
  });
});

describe("diffTaskDefinitions", () => {
  it("reports image, environment and other fields, ignoring key order", () => {
    const before = { family: "web", cpu: "256", containerDefinitions: [{ name: "app", image: "i:1", memory: 128, logConfiguration: { a: 1, b: 2 } }, { name: "side", image: "s" }] };
    const after = { family: "web", cpu: "512", containerDefinitions: [{ name: "app", image: "i:2", memory: 256, logConfiguration: { b: 2, a: 1 }, environment: [{ name: "A", value: "1" }] }, { name: "side", image: "s" }] };
    const diff = diffTaskDefinitions(before, after, secret);
    expect(diff.fields).toEqual(['cpu: "256" → "512"']);
    expect(diff.containers[0]).toMatchObject({ status: "changed", image: { before: "i:1", after: "i:2" }, fields: ["memory: 128 → 256"] });
    expect(diff.containers[1]?.status).toBe("unchanged");
    expect(formatTaskDefinitionDiff(diff, "h")).toEqual(["h", '  ~ cpu: "256" → "512"', "  container app:", "    image: i:1 → i:2", "    ~ memory: 128 → 256", "    + A=1"]);
  });

  it("says when nothing changes", () => {
    const td = { family: "web", containerDefinitions: [{ name: "app", image: "i" }] };
    expect(formatTaskDefinitionDiff(diffTaskDefinitions(td, td, secret), "h")).toEqual(["h", "  no changes besides a new revision number"]);
  });
});

describe("canonicalJson", () => {
  it("sorts keys at every depth", () => expect(canonicalJson({ b: [{ d: 1, c: 2 }], a: 1 })).toBe('{"a":1,"b":[{"c":2,"d":1}]}'));
});

describe("old values are shown only when the old revision's record proves them not secret (issue 14.1)", () => {
  const before = { environment: [{ name: "DB_PASSWORD", value: "s3cr3t" }, { name: "HOST", value: "old-host" }, { name: "GONE", value: "gone-secret" }] };
  const after = { environment: [{ name: "DB_PASSWORD", value: "no-longer-secret" }, { name: "HOST", value: "new-host" }] };
  const noSecretToday = (): boolean => false;

  it("a secret demoted to a String (or an --env / template literal of that name): old value masked, new one shown", () => {
    const changes = diffEnvironment(before, after, { isSecret: noSecretToday, recordedBefore: new Set(["DB_PASSWORD", "GONE"]) });
    const text = formatEnvironmentChanges(changes).join("\n");
    expect(text).not.toContain("s3cr3t");
    expect(text).toContain("~ DB_PASSWORD: **** → no-longer-secret");
    expect(text).toContain("~ HOST: old-host → new-host");
    expect(text).toContain("- GONE");
    expect(text).not.toContain("gone-secret");
  });

  it("a revision without a record: every old value is masked", () => {
    for (const secrecy of [noSecretToday, { isSecret: noSecretToday, recordedBefore: undefined }]) {
      const text = formatEnvironmentChanges(diffEnvironment(before, after, secrecy)).join("\n");
      expect(text).not.toMatch(/s3cr3t|old-host/);
      expect(text).toContain("~ HOST: **** → new-host");
    }
  });

  it("a secret today is never shown, whatever the record says", () => {
    const text = formatEnvironmentChanges(diffEnvironment(before, after, { isSecret: (n) => n === "DB_PASSWORD", recordedBefore: new Set() })).join("\n");
    expect(text).toContain("~ DB_PASSWORD (secret) changed");
    expect(text).not.toMatch(/s3cr3t|no-longer-secret/);
  });

  it("recordedSecretValues gives the values of the recorded names (for the redactor)", () => {
    expect(recordedSecretValues([before], new Set(["DB_PASSWORD", "GONE"]))).toEqual(["s3cr3t", "gone-secret"]);
    expect(recordedSecretValues([before], undefined)).toEqual([]);
  });
});

describe("redact, then cut (issue 14.2)", () => {
  it("a secret inside a long command is masked before the field is shortened: no prefix of it survives", () => {
    const secret = "MARKER-long-command-secret-0123456789";
    const redact = (text: string): string => text.split(secret).join("****");
    const command = ["sh", "-c", `${"x".repeat(80)} --password ${secret} --more`];
    const before = { family: "web", containerDefinitions: [{ name: "app", image: "i", command: ["old"] }] };
    const after = { family: "web", containerDefinitions: [{ name: "app", image: "i", command }] };
    const diff = diffTaskDefinitions(before, after, () => false, redact);
    const text = formatTaskDefinitionDiff(diff, "h").join("\n");
    expect(text).toContain("command:");
    // The cut at 120 characters falls inside the secret: without redaction first, "MARKER-long-com…" would print.
    expect(text).toContain("****");
    expect(text).not.toContain("MARKER");
  });
});
