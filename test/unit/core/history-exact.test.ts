/** history's rows beside ECS's record, cell by cell (the ECS columns and the notes under the table). */
import { describe, expect, it } from "vitest";
import type { EcsDeploymentEntry } from "../../../src/core/ecs-record.js";
import { formatHistoryTable, formatTime, shaOf, withEcsRecord, type HistoryRow } from "../../../src/core/history.js";
import { formatTable } from "../../../src/core/table.js";

const DAY = 24 * 3_600_000;
const RELEASED = "2026-01-01T00:00:00.000Z";

function row(revision: number, over: Partial<HistoryRow> = {}): HistoryRow {
  return { family: "web", revision, arn: `arn:td/web:${revision}`, status: "ACTIVE", sha: null, releasedAt: RELEASED, releasedBy: null, outcome: "stable", environment: null, services: [], live: false, jobUrl: null, image: null, ...over };
}
function entry(taskDefinition: string, over: Partial<EcsDeploymentEntry> = {}): EcsDeploymentEntry {
  return { serviceDeploymentArn: `d-${taskDefinition}`, status: "SUCCESSFUL", statusReason: null, lifecycleStage: null, createdAt: null, startedAt: null, finishedAt: null, taskDefinition, serviceRevisionArn: null, images: [], ...over };
}

describe("withEcsRecord", () => {
  const now = Date.parse(RELEASED) + 10 * DAY;
  it("no entry within 90 days: ecs null and no note; past 90 days: the note", () => {
    expect(withEcsRecord([row(1)], [], now)).toEqual([{ ...row(1), ecs: null }]);
    expect(withEcsRecord([row(1)], [], Date.parse(RELEASED) + 91 * DAY)).toEqual([
      { ...row(1), ecs: null, ecsNote: "released more than 90 days ago: ECS keeps no record that old, the tags stand alone" },
    ]);
  });
  it("an entry that agrees: attached, no note, no disagrees key", () => {
    const e = entry("arn:td/web:1");
    const [r] = withEcsRecord([row(1)], [entry("arn:td/web:2"), e], now);
    expect(r).toEqual({ ...row(1), ecs: e });
    expect(r !== undefined && "disagrees" in r).toBe(false);
  });
  it("an entry that disagrees: the note and the flag", () => {
    const e = entry("arn:td/web:1", { status: "STOPPED" });
    expect(withEcsRecord([row(1)], [e], now)).toEqual([{ ...row(1), ecs: e, ecsNote: "the tag says stable, ECS says STOPPED", disagrees: true }]);
  });
});

describe("formatHistoryTable with ECS's record", () => {
  const headers = ["", "REVISION", "STATUS", "SHA", "RELEASED", "BY", "OUTCOME", "ENVIRONMENT", "RUNNING IN", "ECS", "FINISHED", "DIGESTS"];
  it("each ECS cell, the live marker, and one line per note", () => {
    const rows: HistoryRow[] = [
      row(3, { live: true, services: ["a", "b"], sha: "0123456789abcdef", releasedBy: "me", environment: "prod", ecs: entry("x", { status: "IN_PROGRESS", lifecycleStage: "BAKE_TIME" }) }),
      row(2, { ecs: entry("x", { status: "STOPPED", finishedAt: "2026-01-02T03:04:05.000Z", images: [{ container: "app", image: "i", digest: "sha256:0123456789abcdef" }, { container: "log", image: "j", digest: null }] }), ecsNote: "the tag says stable, ECS says STOPPED", disagrees: true }),
      row(1, { releasedAt: null, ecs: entry("x", { status: "SUCCESSFUL", lifecycleStage: "BAKE_TIME" }) }),
      row(0, { ecs: null, ecsNote: "old" }),
    ];
    expect(formatHistoryTable(rows)).toBe(
      formatTable(headers, [
        ["*", "web:3", "ACTIVE", "0123456789ab", "2026-01-01 00:00Z", "me", "stable", "prod", "a, b", "IN_PROGRESS (BAKE_TIME)", "-", "-"],
        ["", "web:2", "ACTIVE", "-", "2026-01-01 00:00Z", "-", "stable", "-", "-", "STOPPED !", "2026-01-02 03:04Z", "app@sha256:0123456789ab, log@?"],
        ["", "web:1", "ACTIVE", "-", "-", "-", "stable", "-", "-", "SUCCESSFUL", "-", "-"],
        ["", "web:0", "ACTIVE", "-", "2026-01-01 00:00Z", "-", "stable", "-", "-", "-", "-", "-"],
      ]) + "! web:2: the tag says stable, ECS says STOPPED\n- web:0: old\n",
    );
  });
  it("without --service no ECS columns", () => {
    expect(formatHistoryTable([row(1)])).toBe(formatTable(headers.slice(0, 9), [["", "web:1", "ACTIVE", "-", "2026-01-01 00:00Z", "-", "stable", "-", "-"]]));
  });
});

describe("shaOf and formatTime edges", () => {
  it.each([
    ["repo/app:abcdef1", "abcdef1"],
    ["repo/app:abcdef", null],
    ["repo/app:ABCDEF1234", "ABCDEF1234"],
    ["registry:5000/app:abcdef1@sha256:00", "abcdef1"],
    [`repo/app:${"a".repeat(41)}`, null],
    ["repo/app:xabcdef1", null],
    ["repo/app:abcdef1x", null],
    ["repo/app", null],
  ])("image %s → %s", (image, expected) => {
    expect(shaOf({ tags: {}, image })).toBe(expected);
  });
  it("a SHA tag wins over the image; an empty one does not", () => {
    expect(shaOf({ tags: { "ecs-release:sha": "feed" }, image: "a:abcdef1" })).toBe("feed");
    expect(shaOf({ tags: { "ecs-release:sha": "" }, image: "a:abcdef1" })).toBe("abcdef1");
  });
  it.each([
    ["2025-01-02T03:04:05.678Z", false, "2025-01-02 03:04Z"],
    ["2025-01-02T03:04:05.678Z", true, "2025-01-02 03:04:05Z"],
    ["2025-01-02T03:04+01:00", true, "2025-01-02 03:04+01:00"],
    ["2025-01-02T03:04:05+0100", false, "2025-01-02 03:04+0100"],
    ["2025-01-02T03:04:05", true, "2025-01-02 03:04:05"],
    ["x2025-01-02T03:04:05Z", false, "x2025-01-02T03:04:05Z"],
    ["2025-01-02T03:04:05Zx", false, "2025-01-02T03:04:05Zx"],
  ] as const)("formatTime(%s, %s) → %s", (iso, seconds, expected) => {
    expect(formatTime(iso, seconds)).toBe(expected);
  });
});
