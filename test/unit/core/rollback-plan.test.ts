import type { Service } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../src/core/errors.js";
import { formatRevisionName, type RevisionRecord } from "../../../src/core/revision-record.js";
import {
  checkRollbackServices,
  groupByRevision,
  planDeregistration,
  planRollback,
  rollbackRunKey,
  rolledBackByRun,
  serviceNames,
  withRolledBackTags,
  type GroupChoice,
  type RollbackMove,
} from "../../../src/core/rollback-plan.js";
import type { RollbackTargetDecision } from "../../../src/core/rollback-target.js";
import { TAG } from "../../../src/core/tags.js";

const service = (name: string, extra: Partial<Service> = {}): Service => ({ serviceName: name, status: "ACTIVE", taskDefinition: `arn:aws:ecs:us-east-1:123456789012:task-definition/${name}:3`, ...extra });

describe("checkRollbackServices", () => {
  it.each<[string, Service[], string[], RegExp | undefined]>([
    ["ECS services", [service("web"), service("worker", { deploymentController: { type: "ECS" } })], [], undefined],
    ["no controller given (ECS's default)", [service("web")], [], undefined],
    ["a missing service", [service("web")], ["ghost"], /^rollback: not found in cluster prod: ghost \(check --service\)$/],
    ["a DRAINING service", [service("web", { status: "DRAINING" })], [], /not found in cluster prod: web \(DRAINING\)/],
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html: no task definition change for these.
    ["a CODE_DEPLOY service", [service("web"), service("api", { deploymentController: { type: "CODE_DEPLOY" } })], [], /^rollback: api uses the CODE_DEPLOY deployment controller: ecs-release rolls back services with the ECS \(rolling update\) controller only/],
    ["an EXTERNAL service", [service("web", { deploymentController: { type: "EXTERNAL" } })], [], /web uses the EXTERNAL deployment controller/],
  ])("%s", (_title, services, missing, error) => {
    const check = (): void => checkRollbackServices("prod", services, missing);
    if (error === undefined) expect(check).not.toThrow();
    else {
      expect(check).toThrow(ValidationError);
      expect(check).toThrow(error);
    }
  });
});

describe("rollbackRunKey", () => {
  it.each<[string, Record<string, string>, string | undefined]>([
    ["outside CircleCI", {}, undefined],
    ["pipeline id and job", { CIRCLE_PIPELINE_ID: "9f1c", CIRCLE_JOB: "rollback", CIRCLE_WORKFLOW_ID: "w-1" }, "pipeline 9f1c job rollback"],
    // The workflow id changes on a re-run; the key must not.
    ["the same after a re-run (new workflow id)", { CIRCLE_PIPELINE_ID: "9f1c", CIRCLE_JOB: "rollback", CIRCLE_WORKFLOW_ID: "w-2" }, "pipeline 9f1c job rollback"],
    ["only the pipeline number the orb passes", { CIRCLE_PIPELINE_NUM: "42", CIRCLE_JOB: "rollback" }, "pipeline #42 job rollback"],
    ["a pipeline without a job name", { CIRCLE_PIPELINE_ID: "9f1c" }, "pipeline 9f1c"],
  ])("%s", (_title, env, key) => {
    expect(rollbackRunKey(env)).toBe(key);
  });

  it("matches the recorded tag, at most 256 characters", () => {
    const key = rollbackRunKey({ CIRCLE_PIPELINE_ID: "p", CIRCLE_JOB: "j".repeat(300) });
    expect(key).toHaveLength(256);
    expect(rolledBackByRun({ [TAG.rollbackRun]: key! }, key)).toBe(true);
    expect(rolledBackByRun({ [TAG.rollbackRun]: "pipeline other job rollback" }, key)).toBe(false);
    expect(rolledBackByRun({ [TAG.rollbackRun]: key! }, undefined)).toBe(false);
  });
});

describe("the rollback plan", () => {
  const ARN = (family: string, revision: number): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${revision}`;
  const rev = (family: string, revision: number, outcome?: string, extra: Record<string, string> = {}): RevisionRecord => ({
    arn: ARN(family, revision),
    family,
    revision,
    status: "ACTIVE",
    tags: { ...(outcome ? { [TAG.outcome]: outcome } : {}), ...extra },
  });
  const svc = (name: string, family: string, revision: number): Service => service(name, { taskDefinition: ARN(family, revision) });

  it("groups services by the revision they run, in the order given", () => {
    const groups = groupByRevision([svc("web", "web", 5), svc("worker", "worker", 3), svc("web-canary", "web", 5)]);
    expect(groups.map((g) => [formatRevisionName(g.current), serviceNames(g)])).toEqual([
      ["web:5", "web, web-canary"],
      ["worker:3", "worker"],
    ]);
    expect(() => groupByRevision([service("odd", { taskDefinition: "nonsense" })])).toThrow(/odd runs "nonsense", not a task definition revision/);
  });

  // Targets per family: each group its own; a group on its target or moved there by this run stays.
  it.each<[string, Array<[string, number, RollbackTargetDecision, boolean]>, { moving: string[]; unchanged: string[]; byRun: string[] } | RegExp]>([
    ["one family back one stable revision", [["web", 5, { status: "found", target: rev("web", 3, "stable") }, false]], { moving: ["web:5→web:3"], unchanged: [], byRun: [] }],
    [
      "two families, each to its own target",
      [
        ["web", 5, { status: "found", target: rev("web", 3, "stable") }, false],
        ["worker", 3, { status: "found", target: rev("worker", 2, "stable") }, false],
      ],
      { moving: ["web:5→web:3", "worker:3→worker:2"], unchanged: [], byRun: [] },
    ],
    ["already on the target", [["web", 3, { status: "found", target: rev("web", 3, "stable") }, false]], { moving: [], unchanged: ["web:3"], byRun: [] }],
    ["a re-run: this run moved it there", [["web", 3, { status: "found", target: rev("web", 3, "stable") }, true]], { moving: [], unchanged: ["web:3"], byRun: ["web:3"] }],
    [
      "no target for one family: exit 2 naming every problem",
      [
        ["web", 5, { status: "none", reason: "web:99 does not exist" }, false],
        ["worker", 3, { status: "found", target: rev("worker", 2) }, false],
      ],
      /^rollback --to previous: web \(on web:5\): web:99 does not exist$/,
    ],
  ])("%s", (_title, rows, expected) => {
    const choices: GroupChoice[] = rows.map(([family, revision, decision, byRun]) => ({
      group: groupByRevision([svc(family, family, revision)])[0]!,
      decision,
      known: decision.status === "found" ? [decision.target] : [],
      unread: [],
      rolledBackByRun: byRun,
    }));
    if (expected instanceof RegExp) {
      expect(() => planRollback({ kind: "previous" }, choices)).toThrow(expected);
      return;
    }
    const plan = planRollback({ kind: "previous" }, choices);
    expect(plan.moving.map((m) => `${formatRevisionName(m.group.current)}→${formatRevisionName(m.target)}`)).toEqual(expected.moving);
    expect(plan.all.filter((m) => !plan.moving.includes(m)).map((m) => formatRevisionName(m.target))).toEqual(expected.unchanged);
    expect(plan.rolledBackByRun.map((m) => formatRevisionName(m.target))).toEqual(expected.byRun);
  });

  // What is deregistered and why, what is kept: web:5 → web:3 with web:4 failed in between.
  it.each<[string, RevisionRecord[], Record<number, string[]>, { deregister: number[]; spared: Array<[number, string]> }]>([
    ["the one rolled back from and the failed one newer than the target", [rev("web", 5, "stable"), rev("web", 4, "failed"), rev("web", 3, "stable")], {}, { deregister: [5, 4], spared: [] }],
    ["a service in another cluster keeps its revision", [rev("web", 5, "stable"), rev("web", 4, "failed"), rev("web", 3, "stable")], { 5: ["web (cluster staging)"] }, { deregister: [4], spared: [[5, "still used by web (cluster staging)"]] }],
    ["tagged to keep", [rev("web", 5, "stable", { [TAG.keep]: "true" }), rev("web", 4, "failed"), rev("web", 3, "stable")], {}, { deregister: [4], spared: [[5, `tagged ${TAG.keep}=true`]] }],
    ["a newer revision that is not recorded failed stays", [rev("web", 5, "stable"), rev("web", 4), rev("web", 3, "stable")], {}, { deregister: [5], spared: [] }],
    ["never the target, even when it is recorded failed", [rev("web", 5, "stable"), rev("web", 3, "failed")], {}, { deregister: [5], spared: [] }],
  ])("deregistration: %s", (_title, known, inUse, expected) => {
    const target = known.find((r) => r.revision === 3)!;
    const move: RollbackMove = { group: groupByRevision([svc("web", "web", 5)])[0]!, target, note: null, known, unread: [] };
    const plan = planDeregistration([move], new Map(Object.entries(inUse).map(([n, users]) => [ARN("web", Number(n)), users])));
    expect(plan.deregister.map((r) => r.revision)).toEqual(expected.deregister);
    expect(plan.spared.map((s) => [Number(s.revision.split(":")[1]), s.reason])).toEqual(expected.spared);
    expect(plan.rolledBackFrom).toEqual([ARN("web", 5)]);
  });

  it("never deregisters one service's target though another rolls back from it", () => {
    const a: RollbackMove = { group: groupByRevision([svc("web", "web", 5)])[0]!, target: rev("web", 4, "stable"), note: null, known: [rev("web", 5), rev("web", 4, "stable")], unread: [] };
    const b: RollbackMove = { group: groupByRevision([svc("web-canary", "web", 4)])[0]!, target: rev("web", 3, "stable"), note: null, known: [rev("web", 4, "stable"), rev("web", 3, "stable")], unread: [] };
    const plan = planDeregistration([a, b], new Map());
    expect(plan.deregister.map((r) => r.revision)).toEqual([5]);
    expect(plan.rolledBackFrom).toEqual([ARN("web", 5)]);
  });

  it("reads the revisions rolled back from as rolled back once tagged", () => {
    const known = withRolledBackTags([rev("web", 5, "stable"), rev("web", 3, "stable")], [ARN("web", 5)]);
    expect(known.map((r) => r.tags[TAG.outcome])).toEqual(["rolled-back", "stable"]);
  });
});
