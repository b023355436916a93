import { describe, expect, it } from "vitest";
import { buildHistoryRows, formatHistoryTable, formatTime, shaOf } from "../../../src/core/history.js";
import type { RevisionRecord } from "../../../src/core/revision-record.js";
import { TAG } from "../../../src/core/tags.js";

const ARN = (revision: number): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${revision}`;
function rev(revision: number, tags: Record<string, string> = {}, extra: Partial<RevisionRecord> = {}): RevisionRecord {
  return { arn: ARN(revision), family: "web", revision, status: "ACTIVE", tags, ...extra };
}

describe("buildHistoryRows", () => {
  it.each([
    ["stable", "stable"],
    ["failed", "failed"],
    ["rolled-back", "rolled back"],
    [undefined, "unknown"],
    ["weird", "unknown"],
  ])("outcome tag %j reads %j", (tag, label) => {
    const rows = buildHistoryRows([rev(1, tag === undefined ? {} : { [TAG.outcome]: tag })], new Map(), 20);
    expect(rows[0]?.outcome).toBe(label);
  });

  it("lists newest first, limited, with the live marker and release record", () => {
    const records = [
      rev(1, { [TAG.sha]: "a".repeat(40) }, { status: "INACTIVE" }),
      rev(3, { [TAG.sha]: "c".repeat(40), [TAG.releasedAt]: "2025-01-02T03:04:05.000Z", [TAG.releasedBy]: "alice", [TAG.outcome]: "stable" }),
      rev(2, {}, { registeredAt: "2025-01-01T00:00:00.000Z", image: `repo:${"b".repeat(40)}` }),
    ];
    const rows = buildHistoryRows(records, new Map([[ARN(3), ["worker", "web"]]]), 2);
    expect(rows.map((r) => [r.revision, r.status, r.sha, r.releasedAt, r.releasedBy, r.outcome, r.services, r.live])).toEqual([
      [3, "ACTIVE", "c".repeat(40), "2025-01-02T03:04:05.000Z", "alice", "stable", ["web", "worker"], true],
      [2, "ACTIVE", "b".repeat(40), "2025-01-01T00:00:00.000Z", null, "unknown", [], false],
    ]);
  });
});

describe("shaOf", () => {
  it.each([
    [{ tags: { [TAG.sha]: "abc1234" } }, "abc1234"],
    [{ tags: {}, image: "123.dkr.ecr.us-east-1.amazonaws.com/platform:0123456789abcdef" }, "0123456789abcdef"],
    [{ tags: {}, image: "localhost:5000/platform:latest" }, null],
    [{ tags: {}, image: "nginx" }, null],
    [{ tags: {} }, null],
  ])("%j → %j", (record, sha) => {
    expect(shaOf(record)).toBe(sha);
  });
});

describe("formatHistoryTable", () => {
  it("aligns columns and marks live revisions", () => {
    const rows = buildHistoryRows([rev(10, { [TAG.outcome]: "stable", [TAG.sha]: "d".repeat(40), [TAG.releasedBy]: "bob", [TAG.environment]: "prod" }), rev(9, { [TAG.outcome]: "failed" })], new Map([[ARN(10), ["web"]]]), 20);
    expect(formatHistoryTable(rows)).toBe(
      [
        "   REVISION  STATUS  SHA           RELEASED  BY   OUTCOME  ENVIRONMENT  RUNNING IN",
        "*  web:10    ACTIVE  dddddddddddd  -         bob  stable   prod         web",
        "   web:9     ACTIVE  -             -         -    failed   -            -",
        "",
      ].join("\n"),
    );
  });
  it("says when there is nothing", () => expect(formatHistoryTable([])).toBe("no revisions found\n"));
});

describe("formatTime", () => {
  it.each([
    ["2025-01-02T03:04:05.678Z", "2025-01-02 03:04Z"],
    ["2025-01-02T03:04:05+02:00", "2025-01-02 03:04+02:00"],
    ["yesterday", "yesterday"],
  ])("%s → %s", (iso, text) => expect(formatTime(iso)).toBe(text));
  it("keeps seconds when asked", () => expect(formatTime("2025-01-02T03:04:05.678Z", true)).toBe("2025-01-02 03:04:05Z"));
});
