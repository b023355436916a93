import { describe, expect, it } from "vitest";
import { checkPruneRequest, pruneLines, selectRevisionsToPrune } from "../../../src/core/prune-selection.js";
import type { RevisionRecord } from "../../../src/core/revision-record.js";
import { TAG } from "../../../src/core/tags.js";

const ARN = (revision: number): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${revision}`;

function rev(revision: number, tags: Record<string, string> = {}, status = "ACTIVE"): RevisionRecord {
  return { arn: ARN(revision), family: "web", revision, status, tags };
}

describe("selectRevisionsToPrune", () => {
  type Row = [string, { revisions: RevisionRecord[]; keep: number; inUse?: Record<number, string[]> }, number[]];
  it.each<Row>([
    ["keeps the newest N", { revisions: [1, 2, 3, 4, 5].map((n) => rev(n)), keep: 2 }, [5, 4]],
    ["keeps everything when N covers it", { revisions: [1, 2].map((n) => rev(n)), keep: 20 }, [2, 1]],
    ["spares one in use beyond N and its rollback target", { revisions: [rev(6), rev(5), rev(4), rev(3, { [TAG.outcome]: "stable" }), rev(2, { [TAG.outcome]: "stable" }), rev(1)], keep: 2, inUse: { 4: ["web"] } }, [6, 5, 4, 3]],
    ["spares the newest known-good even when nothing is in use", { revisions: [rev(5, { [TAG.outcome]: "failed" }), rev(4), rev(3, { [TAG.outcome]: "stable" }), rev(2, { [TAG.outcome]: "stable" }), rev(1)], keep: 1 }, [5, 3]],
    ["spares revisions tagged to keep", { revisions: [rev(4), rev(3), rev(2, { [TAG.keep]: "true" }), rev(1, { [TAG.keep]: "false" })], keep: 1 }, [4, 2]],
    ["the rollback target of the running revision skips failed ones", { revisions: [rev(5), rev(4, { [TAG.outcome]: "stable" }), rev(3, { [TAG.outcome]: "failed" }), rev(2, { [TAG.outcome]: "stable" }), rev(1, { [TAG.outcome]: "stable" })], keep: 1, inUse: { 4: ["web"] } }, [5, 4, 2]],
    ["ignores INACTIVE revisions", { revisions: [rev(3), rev(2, {}, "INACTIVE"), rev(1)], keep: 1 }, [3]],
    [
      "the rollback target of a revision in use is its own environment's, not a newer one of another",
      { revisions: [rev(5, { [TAG.environment]: "prod", [TAG.outcome]: "stable" }), rev(4, { [TAG.environment]: "staging", [TAG.outcome]: "stable" }), rev(3, { [TAG.environment]: "prod", [TAG.outcome]: "stable" }), rev(2, { [TAG.environment]: "prod", [TAG.outcome]: "stable" })], keep: 1, inUse: { 5: ["web"] } },
      [5, 4, 3],
    ],
    ["spares the newest known-good of each environment", { revisions: [rev(4, { [TAG.environment]: "prod", [TAG.outcome]: "stable" }), rev(3, { [TAG.environment]: "staging", [TAG.outcome]: "stable" }), rev(2, { [TAG.environment]: "staging", [TAG.outcome]: "stable" })], keep: 1 }, [4, 3]],
  ])("%s", (_title, input, kept) => {
    const inUse = new Map(Object.entries(input.inUse ?? {}).map(([n, services]) => [ARN(Number(n)), services]));
    const selection = selectRevisionsToPrune({ revisions: input.revisions, keep: input.keep, inUse });
    expect(selection.kept.map((k) => k.record.revision)).toEqual(kept);
    const active = input.revisions.filter((r) => r.status === "ACTIVE").map((r) => r.revision);
    expect(selection.deregister.map((r) => r.revision)).toEqual(active.filter((n) => !kept.includes(n)).sort((a, b) => b - a));
  });

  it("keeps what a rule or schedule runs: the revision it names, or the latest for a family-wide target", () => {
    const revisions = [rev(4), rev(3), rev(2), rev(1)];
    const pinned = selectRevisionsToPrune({ revisions, keep: 1, inUse: new Map(), otherUsers: new Map([["web:2", ["EventBridge rule nightly"]]]) });
    expect(pinned.kept.map((k) => [k.record.revision, k.reasons])).toEqual([[4, ["among the newest 1"]], [2, ["run by EventBridge rule nightly"]]]);
    const latest = selectRevisionsToPrune({ revisions, keep: 1, inUse: new Map(), familyUsers: ["EventBridge Scheduler schedule hourly"] });
    expect(latest.kept.map((k) => [k.record.revision, k.reasons])).toEqual([[4, ["among the newest 1", "latest ACTIVE revision, run by EventBridge Scheduler schedule hourly"]]]);
  });

  it("gives every reason a revision is kept", () => {
    const selection = selectRevisionsToPrune({ revisions: [rev(2, { [TAG.outcome]: "stable", [TAG.keep]: "true" }), rev(1)], keep: 1, inUse: new Map([[ARN(2), ["web"]]]) });
    expect(selection.kept[0]?.reasons).toEqual(["among the newest 1", "in use by web", `tagged ${TAG.keep}=true`, "newest known-good (rollback target)"]);
  });
});

describe("revisions whose Secrets Manager versions are gone (they cannot start)", () => {
  const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecs-release/platform/prod-AbCdEf";
  const gone = (...revisions: number[]) => new Map(revisions.map((n) => [ARN(n), [{ secretArn: SECRET, versionIds: [`v${n}`] }]]));
  type Row = [string, { revisions: RevisionRecord[]; keep: number; inUse?: Record<number, string[]>; gone: number[] }, number[]];
  it.each<Row>([
    ["the newest N kept are N that can start", { revisions: [5, 4, 3, 2, 1].map((n) => rev(n)), keep: 2, gone: [4] }, [5, 3]],
    ["none gone: as before", { revisions: [5, 4, 3, 2, 1].map((n) => rev(n)), keep: 2, gone: [] }, [5, 4]],
    ["the newest known-good kept is one that can start", { revisions: [rev(4), rev(3, { [TAG.outcome]: "stable" }), rev(2, { [TAG.outcome]: "stable" }), rev(1)], keep: 1, gone: [3] }, [4, 2]],
    [
      "one in use is kept all the same, and its rollback target is one that can start",
      { revisions: [rev(5), rev(4), rev(3, { [TAG.outcome]: "stable" }), rev(2, { [TAG.outcome]: "stable" }), rev(1)], keep: 1, inUse: { 4: ["web"] }, gone: [4, 3] },
      [5, 4, 2],
    ],
    ["tagged to keep: kept all the same", { revisions: [rev(3), rev(2, { [TAG.keep]: "true" }), rev(1)], keep: 1, gone: [2] }, [3, 2]],
  ])("%s", (_title, input, kept) => {
    const inUse = new Map(Object.entries(input.inUse ?? {}).map(([n, services]) => [ARN(Number(n)), services]));
    const selection = selectRevisionsToPrune({ revisions: input.revisions, keep: input.keep, inUse, secretsGone: gone(...input.gone) });
    expect(selection.kept.map((k) => k.record.revision)).toEqual(kept);
    expect(selection.deregister.map((r) => r.revision)).toEqual(input.revisions.map((r) => r.revision).filter((n) => !kept.includes(n)));
    expect(selection.unstartable.map((u) => u.record.revision)).toEqual(input.gone);
  });

  it("says which revisions cannot start and why, whether kept or deregistered", () => {
    const selection = selectRevisionsToPrune({ revisions: [rev(4), rev(3), rev(2), rev(1)], keep: 1, inUse: new Map([[ARN(3), ["web"]]]), secretsGone: gone(3, 2) });
    expect(pruneLines("web", selection, 1, true)).toEqual([
      "web:3: kept (in use by web)",
      "web:1: kept (rollback target of web:3)",
      `web:3: cannot start a task any more: Secrets Manager no longer has version v3 of ${SECRET} (it removes unlabelled versions past 100); kept (in use by web)`,
      `web:2: cannot start a task any more: Secrets Manager no longer has version v2 of ${SECRET} (it removes unlabelled versions past 100); not counted among the newest 1 nor as a rollback target`,
      "web: would deregister 1 revision, keeping 3: web:2",
    ]);
  });
});

describe("checkPruneRequest", () => {
  it.each<[string, { families: string[]; cluster?: string; services: string[]; keep: number }, RegExp | undefined]>([
    ["a family", { families: ["web"], services: [], keep: 20 }, undefined],
    ["services of a cluster", { families: [], cluster: "prod", services: ["web"], keep: 1 }, undefined],
    ["nothing to prune", { families: [], services: [], keep: 20 }, /^prune: pass --family FAMILY, or --cluster with --service$/],
    ["a service without its cluster", { families: [], services: ["web"], keep: 20 }, /--service needs --cluster/],
    ["keep 0, and no family: both problems in one line", { families: [], services: [], keep: 0 }, /pass --family FAMILY, or --cluster with --service; --keep must be a whole number of at least 1 \(got 0\)/],
  ])("%s", (_title, request, error) => {
    if (error === undefined) expect(() => checkPruneRequest(request)).not.toThrow();
    else expect(() => checkPruneRequest(request)).toThrow(error);
  });
});

describe("pruneLines", () => {
  it("says why each revision beyond the newest N stays, then what is deregistered", () => {
    const selection = selectRevisionsToPrune({ revisions: [rev(5), rev(4), rev(3, { [TAG.keep]: "true" }), rev(2), rev(1, { [TAG.outcome]: "failed" })], keep: 2, inUse: new Map([[ARN(2), ["web"]]]) });
    expect(pruneLines("web", selection, 2, true)).toEqual(["web:3: kept (tagged ecs-release:keep=true)", "web:2: kept (in use by web)", "web: would deregister 1 revision, keeping 4: web:1"]);
    expect(pruneLines("web", selectRevisionsToPrune({ revisions: [rev(1)], keep: 2, inUse: new Map() }), 2, false)).toEqual(["web: nothing to prune (1 ACTIVE revisions kept)"]);
  });
});

describe("prune's reasons and lines, exactly", () => {
  it("names every user of a revision, sorted, and its rollback target by name, also when the target is only a fallback", () => {
    const selection = selectRevisionsToPrune({ revisions: [rev(4), rev(3), rev(2)], keep: 1, inUse: new Map([[ARN(3), ["worker", "api (cluster staging)"]]]) });
    expect(selection.kept.map((k) => [k.record.revision, k.reasons])).toEqual([
      [4, ["among the newest 1"]],
      [3, ["in use by api (cluster staging), worker"]],
      [2, ["rollback target of web:3"]],
    ]);
  });

  it("a revision kept for several reasons lists them all; deregistering says how many, in the plural when more than one", () => {
    const selection = selectRevisionsToPrune({ revisions: [rev(5), rev(4, { [TAG.keep]: "true" }), rev(3), rev(2), rev(1)], keep: 1, inUse: new Map([[ARN(4), ["web"]]]) });
    expect(pruneLines("web", selection, 1, false)).toEqual(["web:4: kept (in use by web; tagged ecs-release:keep=true)", "web:3: kept (rollback target of web:4)", "web: deregistering 2 revisions, keeping 3: web:2, web:1"]);
  });

  it("a refused request carries each problem", () => {
    const error = (() => {
      try {
        checkPruneRequest({ families: [], services: ["web"], keep: 0 });
      } catch (caught) {
        return caught as { problems?: string[] };
      }
      return undefined;
    })();
    expect(error?.problems).toEqual(["--service needs --cluster", "--keep must be a whole number of at least 1 (got 0)"]);
  });
});
