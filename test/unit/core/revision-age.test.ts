import { describe, expect, it } from "vitest";
import { isPushedBeforeRunning, registeredAtOf } from "../../../src/core/revision-age.js";
import { TAG } from "../../../src/core/tags.js";

describe("registeredAtOf", () => {
  it.each<[string, Record<string, unknown>, Record<string, string>, number | undefined]>([
    ["epoch seconds", { registeredAt: 1_700_000_000 }, {}, 1_700_000_000_000],
    ["epoch milliseconds", { registeredAt: 1_700_000_000_123 }, {}, 1_700_000_000_123],
    ["an ISO string", { registeredAt: "2024-01-01T00:00:00Z" }, {}, Date.parse("2024-01-01T00:00:00Z")],
    ["the release tag when ECS gives none", {}, { [TAG.releasedAt]: "2024-01-01T00:00:00Z" }, Date.parse("2024-01-01T00:00:00Z")],
    ["an unparsable time", { registeredAt: "yesterday" }, {}, undefined],
    ["nothing", {}, {}, undefined],
  ])("%s", (_what, taskDefinition, tags, expected) => expect(registeredAtOf(taskDefinition, tags)).toBe(expected));
});

describe("isPushedBeforeRunning", () => {
  const registered = Date.parse("2024-01-01T00:00:10.500Z");
  it.each<[string, string, Array<number | undefined>, boolean]>([
    ["pushed a second before", "2024-01-01T00:00:09Z", [registered], true],
    ["pushed in the same second (ambiguous: a forward release)", "2024-01-01T00:00:10Z", [registered], false],
    ["pushed after", "2024-01-01T00:00:11Z", [registered], false],
    ["older than one of several running revisions (the newest counts)", "2024-01-01T00:00:09Z", [0, registered], true],
    ["no known registration time", "2024-01-01T00:00:09Z", [undefined], false],
  ])("%s", (_what, pushedAt, times, expected) => expect(isPushedBeforeRunning(new Date(pushedAt), times)).toBe(expected));
});
