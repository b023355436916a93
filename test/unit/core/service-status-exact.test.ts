/**
 * service-status.ts to the letter: what `ecs-release status` prints and returns for the cases the
 * other tests only match in part — a FAILED deployment left in place, a service below desired with and
 * without a rollout state, ECS's service deployment beside the tags, stopped tasks, fields ECS leaves
 * out, and the order of deployments and events.
 */
import type { Service } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import type { EcsDeploymentEntry } from "../../../src/core/ecs-record.js";
import type { RevisionRecord } from "../../../src/core/revision-record.js";
import { deploymentConfigurationWarnings, formatServiceStatus, summarizeService, withEcsDeployment, type ServiceStatus } from "../../../src/core/service-status.js";
import { TAG } from "../../../src/core/tags.js";

const ARN = (revision: number): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${revision}`;
const PROTECTED = { deploymentCircuitBreaker: { enable: true, rollback: true }, minimumHealthyPercent: 100 };
const record = (revision: number, tags: Record<string, string>): RevisionRecord => ({ arn: ARN(revision), family: "web", revision, status: "ACTIVE", tags });
const revisions = new Map<string, RevisionRecord>([
  [ARN(5), record(5, { [TAG.sha]: "e".repeat(40), [TAG.outcome]: "stable" })],
  [ARN(4), record(4, { [TAG.sha]: "d".repeat(40), [TAG.outcome]: "failed" })],
]);
const entry = (extra: Partial<EcsDeploymentEntry> = {}): EcsDeploymentEntry => ({
  serviceDeploymentArn: "arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/abc",
  status: "SUCCESSFUL",
  statusReason: null,
  lifecycleStage: null,
  createdAt: null,
  startedAt: null,
  finishedAt: null,
  taskDefinition: ARN(5),
  serviceRevisionArn: null,
  images: [],
  ...extra,
});

describe("summarizeService: the states", () => {
  it("a FAILED primary left beside the old deployment: failed, not in flight, one warning naming both", () => {
    const service: Service = {
      serviceName: "web",
      status: "ACTIVE",
      taskDefinition: ARN(5),
      desiredCount: 2,
      runningCount: 2,
      deploymentConfiguration: PROTECTED,
      deployments: [
        { id: "ecs-svc/old", status: "ACTIVE", taskDefinition: ARN(4), desiredCount: 2, runningCount: 2, rolloutState: "COMPLETED", createdAt: new Date("2025-01-01T00:00:00Z") },
        { id: "ecs-svc/new", status: "PRIMARY", taskDefinition: ARN(5), desiredCount: 2, runningCount: 0, failedTasks: 3, rolloutState: "FAILED", rolloutStateReason: "circuit breaker", createdAt: new Date("2025-01-02T00:00:00Z") },
      ],
    };
    const status = summarizeService(service, revisions);
    expect([status.rollout, status.inFlight, status.belowDesired]).toStrictEqual(["failed", false, false]);
    expect(status.warnings).toStrictEqual(["web: deployment ecs-svc/new (web:5) FAILED: circuit breaker; the circuit breaker did not roll back, the old deployment ecs-svc/old (web:4) keeps its tasks"]);
    expect(formatServiceStatus(status)).toBe(
      [
        "web: web:5 sha eeeeeeeeeeee (stable)  desired 2  running 2  pending 0  ROLLOUT FAILED",
        "  DEPLOYMENT   STATUS   REVISION  SHA           ROLLOUT    DESIRED  RUNNING  PENDING  FAILED  CREATED",
        "  ecs-svc/new  PRIMARY  web:5     eeeeeeeeeeee  FAILED     2        0        0        3       2025-01-02 00:00Z",
        "  ecs-svc/old  ACTIVE   web:4     dddddddddddd  COMPLETED  2        2        0        0       2025-01-01 00:00Z",
        "  ecs-svc/new: circuit breaker",
        "  warning: web: deployment ecs-svc/new (web:5) FAILED: circuit breaker; the circuit breaker did not roll back, the old deployment ecs-svc/old (web:4) keeps its tasks",
        "",
      ].join("\n"),
    );
  });

  it("a FAILED primary alone, without a reason", () => {
    const status = summarizeService({ serviceName: "web", taskDefinition: ARN(5), deploymentConfiguration: PROTECTED, deployments: [{ id: "ecs-svc/new", status: "PRIMARY", taskDefinition: ARN(5), rolloutState: "FAILED" }] }, revisions);
    expect(status.warnings).toStrictEqual(["web: deployment ecs-svc/new (web:5) FAILED; the circuit breaker did not roll back"]);
  });

  it.each<[string, Service, Pick<ServiceStatus, "rollout" | "inFlight" | "belowDesired" | "warnings">]>([
    [
      "no rollout state (Classic Load Balancer), below desired",
      { serviceName: "web", desiredCount: 3, runningCount: 1, deploymentConfiguration: PROTECTED, deployments: [{ id: "a", status: "PRIMARY" }] },
      {
        rollout: "unknown",
        inFlight: false,
        belowDesired: true,
        warnings: ["web: running 1 of 3 desired tasks and ECS reports no rollout state for it (e.g. behind a Classic Load Balancer): look at its events and stopped tasks"],
      },
    ],
    ["completed, below desired", { serviceName: "web", desiredCount: 3, runningCount: 2, deploymentConfiguration: PROTECTED, deployments: [{ id: "a", status: "PRIMARY", rolloutState: "COMPLETED" }] }, { rollout: "completed", inFlight: false, belowDesired: true, warnings: ["web: running 2 of 3 desired tasks"] }],
    ["completed, at desired", { serviceName: "web", desiredCount: 3, runningCount: 3, deploymentConfiguration: PROTECTED, deployments: [{ id: "a", status: "PRIMARY", rolloutState: "COMPLETED" }] }, { rollout: "completed", inFlight: false, belowDesired: false, warnings: [] }],
    ["in progress, below desired: not worth a warning", { serviceName: "web", desiredCount: 3, runningCount: 0, deploymentConfiguration: PROTECTED, deployments: [{ id: "a", status: "PRIMARY", rolloutState: "IN_PROGRESS" }] }, { rollout: "in-progress", inFlight: true, belowDesired: false, warnings: [] }],
    ["two deployments, both COMPLETED: in flight", { serviceName: "web", deploymentConfiguration: PROTECTED, deployments: [{ id: "a", status: "PRIMARY", rolloutState: "COMPLETED" }, { id: "b", status: "ACTIVE", rolloutState: "COMPLETED" }] }, { rollout: "in-progress", inFlight: true, belowDesired: false, warnings: [] }],
    ["no deployments, no counts", { deploymentConfiguration: PROTECTED }, { rollout: "completed", inFlight: false, belowDesired: false, warnings: [] }],
    ["only an ACTIVE deployment listed, its rollout state unknown", { deploymentConfiguration: PROTECTED, deployments: [{ id: "b", status: "ACTIVE" }] }, { rollout: "completed", inFlight: false, belowDesired: false, warnings: [] }],
    [
      "a FAILED deployment that is not PRIMARY, below desired, unnamed",
      { desiredCount: 2, runningCount: 1, deploymentConfiguration: PROTECTED, deployments: [{ id: "b", status: "ACTIVE", rolloutState: "FAILED" }] },
      { rollout: "completed", inFlight: false, belowDesired: true, warnings: ["service: running 1 of 2 desired tasks"] },
    ],
  ])("%s", (_what, service, expected) => {
    const status = summarizeService(service, revisions);
    expect({ rollout: status.rollout, inFlight: status.inFlight, belowDesired: status.belowDesired, warnings: status.warnings }).toStrictEqual(expected);
  });

  it("a service ECS describes with nothing but its name: every field defaulted", () => {
    expect(summarizeService({ deploymentConfiguration: PROTECTED, deployments: [{}] }, new Map())).toStrictEqual({
      service: "",
      status: "",
      taskDefinition: "",
      revision: "",
      sha: null,
      outcome: null,
      desired: 0,
      running: 0,
      pending: 0,
      inFlight: false,
      rollout: "completed",
      belowDesired: false,
      deployments: [{ id: "", status: "", taskDefinition: "", revision: "", sha: null, rolloutState: null, rolloutStateReason: null, desired: 0, running: 0, pending: 0, failed: 0, createdAt: null, updatedAt: null }],
      events: [],
      warnings: [],
    });
  });

  it("deployments and events newest first (undated ones last), at most eventCount events, an invalid date as null", () => {
    const at = (day: number) => new Date(`2025-01-0${day}T00:00:00Z`);
    const status = summarizeService(
      {
        deploymentConfiguration: PROTECTED,
        deployments: [
          { id: "undated", status: "ACTIVE" },
          { id: "old", status: "ACTIVE", createdAt: at(1), updatedAt: new Date("nonsense") },
          { id: "new", status: "PRIMARY", createdAt: at(3), updatedAt: at(4) },
          { id: "mid", status: "ACTIVE", createdAt: at(2) },
        ],
        events: [{ message: "undated" }, { createdAt: at(1), message: "first" }, { createdAt: at(3), message: "third" }, { createdAt: at(2) }],
      },
      revisions,
      3,
    );
    expect(status.deployments.map((d) => [d.id, d.createdAt, d.updatedAt])).toStrictEqual([
      ["new", "2025-01-03T00:00:00.000Z", "2025-01-04T00:00:00.000Z"],
      ["mid", "2025-01-02T00:00:00.000Z", null],
      ["old", "2025-01-01T00:00:00.000Z", null],
      ["undated", null, null],
    ]);
    expect(status.events).toStrictEqual([
      { createdAt: "2025-01-03T00:00:00.000Z", message: "third" },
      { createdAt: "2025-01-02T00:00:00.000Z", message: "" },
      { createdAt: "2025-01-01T00:00:00.000Z", message: "first" },
    ]);
    expect(summarizeService({ deploymentConfiguration: PROTECTED, events: Array.from({ length: 7 }, (_, i) => ({ message: String(i) })) }, revisions).events).toHaveLength(5);
  });
});

describe("deploymentConfigurationWarnings: exact lines", () => {
  it.each<[string, Parameters<typeof deploymentConfigurationWarnings>[0], string[]]>([
    ["another controller", { serviceName: "web", deploymentController: { type: "EXTERNAL" } }, ["web: deployment controller is EXTERNAL; ecs-release can only watch rolling (ECS) deployments"]],
    [
      "nothing configured, no name",
      {},
      ["service: deployment circuit breaker is off: a failing rollout keeps retrying until the timeout and is never rolled back by ECS"],
    ],
    [
      "a breaker without rollback, 99%",
      { serviceName: "web", deploymentController: { type: "ECS" }, deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false }, minimumHealthyPercent: 99 } },
      [
        "web: deployment circuit breaker does not roll back: a failed rollout leaves the service on the failed revision",
        "web: minimum healthy percent is 99%: capacity drops below the desired count during a rollout",
      ],
    ],
    ["protected at 100%", { serviceName: "web", deploymentConfiguration: PROTECTED }, []],
  ])("%s", (_what, service, expected) => expect(deploymentConfigurationWarnings(service)).toStrictEqual(expected));
});

describe("withEcsDeployment", () => {
  const base = summarizeService({ serviceName: "web", status: "ACTIVE", taskDefinition: ARN(5), deploymentConfiguration: PROTECTED }, revisions);

  it("no record read: the status as it was (the same object)", () => {
    expect(withEcsDeployment(base, undefined, revisions)).toBe(base);
  });

  it.each<[string, EcsDeploymentEntry, string | undefined]>([
    ["agreeing (stable, SUCCESSFUL)", entry(), undefined],
    ["the tag says stable, ECS rolled back", entry({ status: "ROLLBACK_SUCCESSFUL", statusReason: "alarm" }), "web:5: the tag says stable, ECS says ROLLBACK_SUCCESSFUL (alarm)"],
    ["the tag says failed, ECS says SUCCESSFUL", entry({ taskDefinition: ARN(4) }), "web:4: the tag says failed, ECS says SUCCESSFUL"],
    ["a revision not read: no tag to compare", entry({ taskDefinition: ARN(9), status: "STOPPED" }), undefined],
    ["no task definition known", entry({ taskDefinition: null, status: "STOPPED" }), undefined],
  ])("%s", (_what, ecs, disagreement) => {
    const status = withEcsDeployment(base, ecs, revisions);
    expect(status.ecsDeployment).toBe(ecs);
    expect(status.ecsDisagreement).toBe(disagreement);
    expect("ecsDisagreement" in status).toBe(disagreement !== undefined);
  });
});

describe("formatServiceStatus: the optional parts", () => {
  const base = summarizeService({ serviceName: "web", status: "ACTIVE", taskDefinition: ARN(5), desiredCount: 1, runningCount: 1, deploymentConfiguration: PROTECTED }, revisions);
  const head = "web: web:5 sha eeeeeeeeeeee (stable)  desired 1  running 1  pending 0";
  const table = "  DEPLOYMENT  STATUS  REVISION  SHA  ROLLOUT  DESIRED  RUNNING  PENDING  FAILED  CREATED";

  it.each<[string, ServiceStatus, string[]]>([
    ["nothing else", base, [head, table]],
    ["an unknown outcome and no SHA are not shown; below desired is", { ...base, sha: null, outcome: "unknown", belowDesired: true }, ["web: web:5  desired 1  running 1  pending 0  BELOW DESIRED", table]],
    ["no outcome at all", { ...base, outcome: null }, ["web: web:5 sha eeeeeeeeeeee  desired 1  running 1  pending 0", table]],
    [
      "a deployment without SHA, rollout state or date; a COMPLETED one's reason not repeated",
      {
        ...base,
        deployments: [
          { id: "a", status: "PRIMARY", taskDefinition: "", revision: "web:6", sha: null, rolloutState: null, rolloutStateReason: "said", desired: 1, running: 0, pending: 1, failed: 0, createdAt: null, updatedAt: null },
          { id: "b", status: "ACTIVE", taskDefinition: "", revision: "web:5", sha: "f".repeat(40), rolloutState: "COMPLETED", rolloutStateReason: "done", desired: 1, running: 1, pending: 0, failed: 0, createdAt: null, updatedAt: null },
        ],
      },
      [
        head,
        "  DEPLOYMENT  STATUS   REVISION  SHA           ROLLOUT    DESIRED  RUNNING  PENDING  FAILED  CREATED",
        "  a           PRIMARY  web:6     -             -          1        0        1        0       -",
        "  b           ACTIVE   web:5     ffffffffffff  COMPLETED  1        1        0        0       -",
        "  a: said",
      ],
    ],
    [
      "events, one undated",
      { ...base, events: [{ createdAt: "2025-01-02T03:04:05.000Z", message: "(service web) has reached a steady state." }, { createdAt: null, message: "undated" }] },
      [head, table, "  events:", "    2025-01-02 03:04:05Z  (service web) has reached a steady state.", "    -  undated"],
    ],
    ["stopped tasks asked for, none", { ...base, stoppedTasks: [] }, [head, table, "  stopped tasks: none listed"]],
    [
      "stopped tasks with their log",
      {
        ...base,
        stoppedTasks: [
          { taskId: "0123456789abcdef", stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited", containers: [], logs: { lines: ["boom", "bye"] } as never },
          { taskId: "fedcba", stopCode: null, stoppedReason: null, containers: [] },
        ],
      },
      [head, table, "  stopped tasks:", '    task 0123456789ab: EssentialContainerExited: Essential container in task exited; its log ends: "bye"', "      | boom", "      | bye", "    task fedcba: stopped"],
    ],
    [
      "ECS's record, every part, and a disagreement",
      {
        ...base,
        ecsDeployment: entry({ status: "ROLLBACK_SUCCESSFUL", statusReason: "alarm", lifecycleStage: "CLEAN_UP", startedAt: "2025-01-02T03:04:05.000Z", finishedAt: "2025-01-02T03:10:00.000Z", images: [{ container: "app", digest: `sha256:${"a".repeat(64)}` }, { container: "log", digest: null }] as never }),
        ecsDisagreement: "web:5: the tag says stable, ECS says ROLLBACK_SUCCESSFUL (alarm)",
      },
      [
        head,
        table,
        "  ECS: service deployment of web:5 ROLLBACK_SUCCESSFUL in CLEAN_UP (started 2025-01-02 03:04Z, finished 2025-01-02 03:10Z); app@sha256:aaaaaaaaaaaa, log@?",
        "    alarm",
        "  ! web:5: the tag says stable, ECS says ROLLBACK_SUCCESSFUL (alarm)",
      ],
    ],
    ["ECS's record, started only, its reason not repeated when SUCCESSFUL", { ...base, ecsDeployment: entry({ statusReason: "fine", startedAt: "2025-01-02T03:04:05.000Z" }) }, [head, table, "  ECS: service deployment of web:5 SUCCESSFUL (started 2025-01-02 03:04Z)"]],
    ["ECS's record, finished only, no revision read", { ...base, ecsDeployment: entry({ taskDefinition: null, status: "IN_PROGRESS", finishedAt: "2025-01-02T03:10:00.000Z" }) }, [head, table, "  ECS: service deployment IN_PROGRESS (finished 2025-01-02 03:10Z)"]],
    ["ECS's record, nothing dated", { ...base, ecsDeployment: entry({ taskDefinition: "not-an-arn" }) }, [head, table, "  ECS: service deployment of not-an-arn SUCCESSFUL"]],
    ["warnings, in order", { ...base, warnings: ["one", "two"] }, [head, table, "  warning: one", "  warning: two"]],
  ])("%s", (_what, status, lines) => expect(formatServiceStatus(status)).toBe(`${lines.join("\n")}\n`));

  it("a rollout in progress beside below desired", () => {
    expect(formatServiceStatus({ ...base, inFlight: true, belowDesired: true }).split("\n")[0]).toBe(`${head}  ROLLOUT IN PROGRESS  BELOW DESIRED`);
    expect(formatServiceStatus({ ...base, inFlight: true, rollout: "failed" }).split("\n")[0]).toBe(`${head}  ROLLOUT FAILED`);
  });
});
