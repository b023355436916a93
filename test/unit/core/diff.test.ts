import { describe, expect, it } from "vitest";
import { canonicalJson, diffEnvironment, diffTaskDefinitions, formatEnvironmentChanges, formatTaskDefinitionDiff } from "../../../src/core/diff.js";

const secret = (name: string) => name === "PASS";

describe("diffEnvironment", () => {
  it("adds, removes and changes; never a secret value", () => {
    const before = { environment: [{ name: "A", value: "1" }, { name: "GONE", value: "old-maybe-secret" }, { name: "PASS", value: "old-secret" }] };
    const after = { environment: [{ name: "A", value: "2" }, { name: "NEW", value: "n" }, { name: "PASS", value: "new-secret" }] };
    const changes = diffEnvironment(before, after, secret);
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
