/**
 * diff.ts word for word: the whole diff of a revision against the rendered one (containers added,
 * removed, changed, unchanged; task-level fields; nothing but a new revision number), the
 * environment entries ECS may leave incomplete, and fields cut at 120 characters.
 */
import { describe, expect, it } from "vitest";
import { canonicalJson, containerEnvironment, diffEnvironment, diffTaskDefinitions, formatEnvironmentChanges, formatTaskDefinitionDiff, recordedSecretValues } from "../../../src/core/diff.js";
import type { TaskDefinitionInput } from "../../../src/core/template.js";

const none = (): boolean => false;
const td = (containerDefinitions: TaskDefinitionInput["containerDefinitions"], extra: object = {}): TaskDefinitionInput => ({ family: "web", containerDefinitions, ...extra }) as TaskDefinitionInput;

describe("diffTaskDefinitions and formatTaskDefinitionDiff", () => {
  it("containers added, removed, changed and unchanged; task-level fields", () => {
    const before = td([{ name: "app", image: "r:1", environment: [{ name: "A", value: "1" }], cpu: 128 }, { name: "old", image: "o" }, { name: "same", image: "s" }], { cpu: "256" });
    const after = td([{ name: "app", image: "r:2", environment: [{ name: "A", value: "2" }], cpu: 256 }, { name: "same", image: "s" }, { name: "new", image: "n", environment: [{ name: "B", value: "b" }] }], { cpu: "512", memory: "1024" });
    const diff = diffTaskDefinitions(before, after, none);
    expect(diff).toStrictEqual({
      family: "web",
      containers: [
        { name: "app", status: "changed", image: { before: "r:1", after: "r:2" }, environment: [{ kind: "changed", name: "A", before: "****", after: "2", secret: false }], fields: ["cpu: 128 → 256"] },
        { name: "old", status: "removed", environment: [], fields: [] },
        { name: "same", status: "unchanged", environment: [], fields: [] },
        { name: "new", status: "added", environment: [{ kind: "added", name: "B", after: "b", secret: false }], fields: [] },
      ],
      fields: ['cpu: "256" → "512"', 'memory: (none) → "1024"'],
    });
    expect(formatTaskDefinitionDiff(diff, "web:")).toStrictEqual([
      "web:",
      '  ~ cpu: "256" → "512"',
      '  ~ memory: (none) → "1024"',
      "  container app:",
      "    image: r:1 → r:2",
      "    ~ cpu: 128 → 256",
      "    ~ A: **** → 2",
      "  - container old",
      "  + container new",
      "    + B=b",
    ]);
  });

  it("an image set where there was none, and a field removed", () => {
    const diff = diffTaskDefinitions(td([{ name: "app", memory: 512 }]), td([{ name: "app", image: "r:2" }]), none);
    expect(diff.containers).toStrictEqual([{ name: "app", status: "changed", image: { before: "", after: "r:2" }, environment: [], fields: ["memory: 512 → (none)"] }]);
  });

  it("only a task-level field changed: the fields, no container lines", () => {
    const diff = diffTaskDefinitions(td([{ name: "app", image: "x" }], { cpu: "256" }), td([{ name: "app", image: "x" }], { cpu: "512" }), none);
    expect(formatTaskDefinitionDiff(diff, "h")).toStrictEqual(["h", '  ~ cpu: "256" → "512"']);
  });

  it("nothing changed", () => {
    const same = td([{ name: "app", image: "x" }]);
    expect(formatTaskDefinitionDiff(diffTaskDefinitions(same, same, none), "h")).toStrictEqual(["h", "  no changes besides a new revision number"]);
  });

  it("unnamed containers are matched as \"\"", () => {
    expect(diffTaskDefinitions(td([{ image: "a" }]), td([{ image: "b" }]), none).containers.map((c) => [c.name, c.status])).toStrictEqual([["", "changed"]]);
  });

  it("a field longer than 120 characters is cut to 119 and an ellipsis; 120 is kept", () => {
    const long = (n: number) => td([{ name: "app", image: "x" }], { family: "web", pidMode: "p".repeat(n) });
    const field = (n: number) => diffTaskDefinitions(td([{ name: "app", image: "x" }]), long(n), none).fields[0] ?? "";
    expect(field(118)).toBe(`pidMode: (none) → "${"p".repeat(118)}"`);
    expect(field(119)).toBe(`pidMode: (none) → "${"p".repeat(118)}…`);
  });
});

describe("containerEnvironment, diffEnvironment and formatEnvironmentChanges: the edges", () => {
  it("entries without a name are skipped; without a value they are \"\"", () => {
    expect([...containerEnvironment({ environment: [{ value: "x" }, { name: "A" }], secrets: [{ valueFrom: "arn" }, { name: "S" } as never] })]).toStrictEqual([
      ["A", { value: "", reference: false }],
      ["S", { value: "", reference: true }],
    ]);
  });

  it("an inline value that became a reference (same text) is a change", () => {
    expect(diffEnvironment({ environment: [{ name: "A", value: "arn:x" }] }, { secrets: [{ name: "A", valueFrom: "arn:x" }] }, none)).toStrictEqual([{ kind: "changed", name: "A", before: "****", after: "from arn:x", secret: false }]);
  });

  it("an old value is shown when the record proves it plain", () => {
    const secrecy = { isSecret: none, recordedBefore: new Set(["OTHER"]) };
    expect(diffEnvironment({ environment: [{ name: "A", value: "1" }] }, { environment: [{ name: "A", value: "2" }] }, secrecy)).toStrictEqual([{ kind: "changed", name: "A", before: "1", after: "2", secret: false }]);
  });

  it("the lines: a reference added with a space, a value with =, an added entry without value", () => {
    expect(
      formatEnvironmentChanges([
        { kind: "added", name: "R", after: "from arn:x", secret: false },
        { kind: "added", name: "V", after: "1", secret: false },
        { kind: "added", name: "E", secret: false },
        { kind: "changed", name: "C", secret: false },
      ]),
    ).toStrictEqual(["  + R from arn:x", "  + V=1", "  + E ", "  ~ C:  → "]);
  });
});

describe("recordedSecretValues and canonicalJson: the edges", () => {
  it("only recorded names, only non-empty values, every container", () => {
    expect(
      recordedSecretValues(
        [
          { environment: [{ name: "PASS", value: "p1" }, { name: "PLAIN", value: "x" }, { name: "EMPTY", value: "" }, { value: "nameless" }, { name: "NOVALUE" }] },
          { environment: [{ name: "PASS", value: "p2" }] },
          {},
        ],
        new Set(["PASS", "EMPTY", "NOVALUE"]),
      ),
    ).toStrictEqual(["p1", "p2"]);
    expect(recordedSecretValues([{ environment: [{ name: "PASS", value: "p" }] }], new Set())).toStrictEqual([]);
    expect(recordedSecretValues([{ environment: [{ name: "PASS", value: "p" }] }], undefined)).toStrictEqual([]);
  });

  it("nested keys sorted; arrays and null kept in order", () => {
    expect(canonicalJson({ b: { d: 1, c: [3, { f: null, e: 2 }] }, a: null })).toBe('{"a":null,"b":{"c":[3,{"e":2,"f":null}],"d":1}}');
    expect(canonicalJson(undefined)).toBeUndefined();
  });
});
