/**
 * The ECS part moto leaves out: service deployments that roll out, fail, roll back or hang, and
 * one-off tasks that run and stop. moto keeps the resources (clusters, task definitions, services,
 * tasks); this module keeps the rollout state beside them and overlays it on moto's JSON answers.
 *
 * Modelled on AWS's documentation of the `Deployment`, `ServiceEvent` and `Task` types and of the
 * deployment circuit breaker. Where the model simplifies real ECS:
 * - Time is counted in API calls, not seconds: every DescribeServices call advances each in-flight
 *   deployment *of the services it describes* by one step; every DescribeTasks call advances each
 *   task it describes by one step. Nothing moves between calls.
 * - A service created with CreateService starts steady: its first deployment is COMPLETED with
 *   running = desired (real ECS would roll the first deployment out too).
 * - Running counts move linearly: after step k of n the new deployment runs floor(desired·k/n)
 *   tasks and the older deployments together run that many fewer (oldest drained first). There are
 *   no placement, capacity, health checks, load balancers or minimum/maximum percent arithmetic.
 * - `fail` marks the deployment FAILED after its steps whether or not the circuit breaker is enabled
 *   (real ECS without a circuit breaker retries forever; use `stuck` for that). Rollback happens only
 *   with `deploymentCircuitBreaker: {enable: true, rollback: true}`: a new PRIMARY deployment of the
 *   previous PRIMARY's task definition, which completes on the next DescribeServices call whatever
 *   the rules say.
 * - `stuck` keeps the deployment IN_PROGRESS with its tasks pending (at most desired − 1 running).
 * - A deployment replaced while still in flight becomes ACTIVE and stops advancing; when a newer
 *   deployment completes, all older ones disappear (real ECS lists them as INACTIVE briefly).
 * - Event messages follow the ECS console wording but only a few kinds exist (tasks started/stopped,
 *   deployment completed/failed, rolling back, steady state); at most 100 are kept.
 * - Tasks go PROVISIONING (RunTask answer) → RUNNING (DescribeTasks before the last step) → STOPPED
 *   (the `steps`-th DescribeTasks), every container exiting with the rule's exit code; `stuck` tasks
 *   never stop. StopTask stops a task at once (stopCode UserInitiated, exit code 143 = SIGTERM).
 * - moto stores RunTask tasks as FARGATE (it cannot place EC2 tasks without container instances);
 *   the answers show the launch type or capacity provider that was asked for.
 * - As unkind as ECS (docs/emulator.md, "As unkind as AWS"): stale DescribeServices reads after UpdateService
 *   (ConsistencySettings), deployments of ECR images missing from ECR fail with
 *   CannotPullContainerError, failed deployments leave stopped tasks (ListTasks by startedBy,
 *   DescribeTasks), CODE_DEPLOY/EXTERNAL services refuse a new task definition, and auto scaling
 *   can change desiredCount mid-rollout or after it (rule `scaleTo`, or autoScale()).
 * - Fixed in the front (proxy.ts), not simplified: moto's ListTaskDefinitions ignores `sort`,
 *   `maxResults` and `nextToken`, so the front pages it as ECS does; moto can give two concurrent
 *   RegisterTaskDefinition calls one revision number, so the front registers one at a time.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import {
  hooksFor,
  invalidLifecycleHooks,
  NATIVE_STRATEGIES,
  renderBrief,
  renderRevision,
  renderServiceDeployment,
  serviceDeploymentArn,
  serviceRevisionArn,
  stageSteps,
  STOPPABLE,
  type RevisionCounts,
  type ServiceDeploymentRecord,
  type ServiceRevisionRecord,
} from "./service-deployments.js";
import { awslogsOf, endLines, MISSING_LOG_GROUP_REASON, missingLogGroup, progressLine, startLine, streamName, type LogsBackend } from "./task-logs.js";

/** A parsed JSON object. */
export type JsonObject = Record<string, unknown>;

/** What the simulation needs to know about a task definition. */
export interface TaskDefinitionInfo {
  /** Full task definition ARN. */
  arn: string;
  /** Images of all its containers. */
  images: string[];
  /**
   * Its containers in order (name, image, essential): for the stopped tasks of a failed deployment,
   * and for RunTask (moto's lists fewer containers; ECS lists every one).
   */
  containers?: Array<{ name: string; image: string; essential: boolean; logConfiguration?: unknown }>;
  /** Images pinned by digest, named by each tag ECR has for them: rules match these too. */
  tagNames?: string[];
}

/** True when `image` exists in the emulated ECR (undefined: not an ECR image of the emulated account and region). */
export type ImageCheck = (image: string) => Promise<boolean | undefined>;

/** The digest the emulated ECR has for an image (undefined: not an ECR image of the emulated account, or missing). */
export type DigestLookup = (image: string) => Promise<string | undefined>;

/**
 * What a task of a revision gets as environment when ECS starts it: each container's inline
 * `environment` and its `secrets[]` resolved with the execution role; or why it fails to start.
 */
export type TaskEnvironmentResolver = (taskDefinitionArn: string) => Promise<{ environment: Record<string, Record<string, string>> } | { failure: string }>;

/** Resolves a task definition reference (family, family:revision or ARN) via moto. */
export type TaskDefinitionLookup = (reference: string) => Promise<TaskDefinitionInfo | undefined>;

/** A rule deciding how deployments and tasks of matching images behave. */
export interface SimRule {
  /** Substring of any container image of the task definition. */
  match: string;
  /** What the deployment or task does. */
  outcome: "complete" | "fail" | "stuck";
  /** Steps (DescribeServices / DescribeTasks calls) until the outcome applies; default 2. */
  steps?: number;
  /** Exit code of a task's containers; default 0 (a failing deployment's tasks: default 1). */
  exitCode?: number;
  /**
   * Auto scaling: set the service's desiredCount to this when a matching deployment reaches step
   * `scaleAtStep` (as a target-tracking policy would mid-rollout or right after it).
   */
  scaleTo?: number;
  /** The step at which `scaleTo` applies; default the last step (the rollout completes, then scales). */
  scaleAtStep?: number;
  /**
   * One-off tasks (RunTask) only, like the fields below: the task's stopCode when it stops (default
   * EssentialContainerExited), e.g. SpotInterruption — a Fargate Spot interruption, whose containers
   * get SIGTERM and may exit 0. Stop codes: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html
   */
  stopCode?: string;
  /** The task's stoppedReason (default: ECS's wording for the stop code, e.g. "Your Spot Task was interrupted."). */
  stoppedReason?: string;
  /**
   * Exit codes by container name, overriding `exitCode` for those containers: e.g. a failing essential
   * sidecar `{"log-router": 1}` while the app exits 0 on SIGTERM. With stopCode TaskFailedToStart no
   * container has an exit code.
   */
  containerExitCodes?: Record<string, number>;
  /**
   * RunTask places no task and answers `failures: [{reason}]` instead (HTTP 200), e.g. "RESOURCE:MEMORY":
   * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/api_failures_messages.html
   */
  runTaskFailure?: string;
  /**
   * Eventual consistency after RegisterTaskDefinition: the first N DescribeTaskDefinition or RunTask
   * calls naming a newly registered revision (by ARN or family:revision) whose images match answer
   * ClientException "Unable to describe task definition." (the ECS API "might not be immediately
   * visible to all subsequent commands": https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html).
   */
  unknownRevisionReads?: number;
  /**
   * Native strategies (BLUE_GREEN, LINEAR, CANARY) with outcome `fail`: the lifecycle stage that fails
   * (default SCALE_UP: the green tasks fail to start). A stage with a lifecycle hook configured fails
   * as that hook returning FAILED.
   */
  failStage?: string;
  /** Native strategies: how many steps BAKE_TIME lasts (default 2; 0 skips it). */
  bakeSteps?: number;
  /**
   * What the containers of a matching one-off task write to their awslogs streams while they run, one
   * line per DescribeTasks step (what is left when the task stops), instead of the default progress
   * lines (test/emulator/task-logs.ts).
   */
  logLines?: string[];
}

interface Plan {
  outcome: SimRule["outcome"];
  steps: number;
  exitCode: number;
  /** The exit code came from a rule (a failing deployment's tasks exit 1 otherwise). */
  exitCodeGiven?: boolean;
  scaleTo?: number;
  scaleAtStep?: number;
  /** The application image ECS cannot pull (missing from ECR): the tasks fail with CannotPullContainerError. */
  missingImage?: string;
  /** Why the tasks fail to start before any container runs (a secret ECS cannot fetch): ResourceInitializationError. */
  startFailure?: string;
  /** One-off tasks: how the task stops (see SimRule). */
  stopCode?: string;
  stoppedReason?: string;
  containerExitCodes?: Record<string, number>;
  failStage?: string;
  bakeSteps?: number;
  logLines?: string[];
  /** The awslogs group that does not exist: the tasks fail to start (ResourceInitializationError). */
  missingLogGroup?: string;
}

/** ECS's stoppedReason for a stop code, where the documentation gives one. */
const STOPPED_REASONS: Record<string, string> = {
  EssentialContainerExited: "Essential container in task exited",
  // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html
  SpotInterruption: "Your Spot Task was interrupted.",
  TerminationNotice: "Task stopped due to instance termination.",
  UserInitiated: "Task stopped by user",
  ServiceSchedulerInitiated: "Scaling activity initiated by deployment",
  TaskFailedToStart: "Task failed to start",
};

const DEFAULT_PLAN: Plan = { outcome: "complete", steps: 2, exitCode: 0 };

/**
 * How eventually consistent the emulated ECS API is (`POST /_sim/consistency`). ECS documents that
 * "the result of an API command you run that affects your Amazon ECS resources might not be
 * immediately visible to all subsequent commands you run"
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html, "eventual consistency";
 * the same model as https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html).
 */
export interface ConsistencySettings {
  /**
   * After UpdateService, this many DescribeServices calls that include the service answer with the
   * service as it was before the update (and do not advance its rollout). 0–3; default 1.
   */
  staleServiceReads: number;
  /**
   * After TagResource, the next read of that resource's tags (ListTagsForResource, or
   * DescribeTaskDefinition with include TAGS) shows the tags as they were before. Default false.
   */
  lateTags: boolean;
  /**
   * Reads are not monotonic: the stale DescribeServices reads after an UpdateService come after one
   * that already shows the update (a fresh view, then old ones). ECS promises no monotonic reads
   * (its eventual consistency, as cited above, says only that a change "might not be immediately
   * visible to all subsequent commands"), so a wait must not take an old view after a new one for
   * a rollback. Default false.
   */
  freshFirst: boolean;
  /**
   * UpdateService's answer and the next 2 DescribeServices that show the update name the service's
   * previous, already finished service deployment as `currentServiceDeployment` (kayac/ecspresso PR #945,
   * "Fix waiting for stale deployment": "CurrentServiceDeployment may return an outdated value"). Default false.
   */
  staleCurrentServiceDeployment: boolean;
  /**
   * ECS opens a second service deployment for one update and stops the first: at the update's next step
   * the first record is STOPPED and a new one, of a new service revision with the same task definition,
   * carries the deployment on (kayac/ecspresso#899, "Intermittent 'Service deployment failed STOPPED'
   * errors": "two deployment events are created for the same task definition … the first event terminates
   * quickly, while the second event proceeds"). Default false.
   */
  doubleServiceDeployments: boolean;
  /**
   * DescribeTaskDefinition of an INACTIVE revision that no service or running task references answers
   * ClientException "Unable to describe task definition." ("You can only describe INACTIVE task
   * definitions while an active task or service references them":
   * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTaskDefinition.html). A
   * documented rule, not a consistency one: on by default (world first); false is moto's way (it describes
   * every revision), for a test that needs it. test/integration/inactive-revisions.test.ts covers it.
   */
  inactiveNeedsReference: boolean;
}

/** The defaults: one stale DescribeServices after each UpdateService; tags read in time; INACTIVE revisions nothing references not described; the rest on request. */
export const DEFAULT_CONSISTENCY: ConsistencySettings = { staleServiceReads: 1, lateTags: false, freshFirst: false, staleCurrentServiceDeployment: false, doubleServiceDeployments: false, inactiveNeedsReference: true };

/** At most this many stopped tasks are kept per failed deployment (ECS shows stopped tasks for a while only). */
const MAX_STOPPED_TASKS = 10;

/**
 * A task of a service deployment that stopped (failed), as DescribeTasks shows it. Fields follow
 * ECS's Task type (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html):
 * `startedBy` is the deployment id, `group` is `service:NAME`.
 */
export interface ServiceTaskRecord {
  taskArn: string;
  clusterArn: string;
  serviceName: string;
  taskDefinitionArn: string;
  startedBy: string;
  stoppedReason: string;
  stopCode: string;
  createdAt: number;
  stoppedAt: number;
  containers: Array<{ name: string; image: string; exitCode?: number; reason?: string }>;
}
const MAX_EVENTS = 100;

interface Deployment {
  id: string;
  status: "PRIMARY" | "ACTIVE";
  taskDefinition: string;
  desiredCount: number;
  pendingCount: number;
  runningCount: number;
  failedTasks: number;
  createdAt: number;
  updatedAt: number;
  rolloutState: "IN_PROGRESS" | "COMPLETED" | "FAILED";
  rolloutStateReason: string;
  /** Still advancing on DescribeServices. */
  inFlight: boolean;
  plan: Plan;
  stepsTaken: number;
  /** Deployment and task definition that were PRIMARY when this one started (rollback target). */
  previous?: { id: string; taskDefinition: string };
  /** Running counts of the older deployments when this one started, by deployment id. */
  baselines: Map<string, number>;
  networkConfiguration?: unknown;
  /** The service revision it deploys. */
  revisionArn?: string;
  /** What its tasks' containers got as environment (inline values and resolved secrets), by container name. */
  environment?: Record<string, Record<string, string>>;
  /** The service deployment (ECS's record) it belongs to; a rollback deployment belongs to the one it rolls back. */
  recordArn?: string;
  /** It is the rollback of its service deployment. */
  rollbackOf?: boolean;
  /** ECS will open a second service deployment for it at its next step and stop the first (ConsistencySettings.doubleServiceDeployments). */
  splitPending?: boolean;
}

interface ServiceEvent {
  id: string;
  createdAt: number;
  message: string;
}

interface Service {
  name: string;
  taskDefinition: string;
  desiredCount: number;
  launchType?: string;
  /** Kept from CreateService (moto drops it and reports launchType EC2 instead). */
  capacityProviderStrategy?: unknown[];
  deploymentConfiguration: JsonObject;
  networkConfiguration?: unknown;
  deployments: Deployment[];
  events: ServiceEvent[];
  /** The service as DescribeServices showed it before the last UpdateService, and how many reads still get it. */
  stale?: { view: JsonObject; reads: number; freshShown?: boolean };
  /** CreateService's deploymentController (ECS, CODE_DEPLOY or EXTERNAL). */
  deploymentController?: JsonObject;
  clusterArn: string;
  serviceArn?: string;
  /** ECS's service deployments of this service, newest first. */
  records: ServiceDeploymentRecord[];
  /** The previous service deployment `currentServiceDeployment` still names, and for how many more DescribeServices. */
  lagCurrent?: { arn: string; reads: number };
}

interface Task {
  taskArn: string;
  request: JsonObject;
  plan: Plan;
  describeCount: number;
  createdAt: number;
  startedAt?: number;
  stopped?: { at: number; reason: string; stopCode: string; exitCode: number | undefined; exitCodes?: Record<string, number> };
  containerArns: Map<string, string>;
  eniId: string;
  /** Every container of the task definition (ECS describes each one; moto may list fewer). */
  definitionContainers?: Array<{ name: string; image: string | undefined; logConfiguration?: unknown }>;
  /** How many of the plan's log lines the containers wrote. */
  linesWritten: number;
}

/** A RunTask request as the emulator received it, for tests to assert. */
export interface TaskRecord {
  taskArn: string;
  request: JsonObject;
}

/** The command override RunTask gave a container, if any. */
function commandOverride(request: JsonObject, container: string): unknown {
  const overrides = isJsonObject(request["overrides"]) ? request["overrides"] : {};
  const list = Array.isArray(overrides["containerOverrides"]) ? overrides["containerOverrides"] : [];
  const found = list.find((item) => isJsonObject(item) && item["name"] === container);
  return isJsonObject(found) ? found["command"] : undefined;
}

/** `family:revision` of a task definition ARN or reference. */
function revisionKey(reference: string): string {
  return reference.replace(/^arn:aws[\w-]*:ecs:[\w-]+:\d{12}:task-definition\//, "");
}

/** Deep copy of JSON data. */
function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Narrow an unknown JSON value to an object. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringField(object: JsonObject, key: string): string | undefined {
  const value = object[key];
  return typeof value === "string" ? value : undefined;
}

function numberField(object: JsonObject, key: string): number | undefined {
  const value = object[key];
  return typeof value === "number" ? value : undefined;
}

function randomDigits(length: number): string {
  let digits = String(1 + (randomBytes(1)[0] ?? 0) % 9);
  while (digits.length < length) digits += String((randomBytes(1)[0] ?? 0) % 10);
  return digits;
}

/** A copy of the simulation's state ({@link EcsSimulation.snapshot}). */
export interface SimulationSnapshot {
  readonly services: Map<string, Service>;
  readonly tasks: Map<string, Task>;
  readonly rules: SimRule[];
  readonly consistency: ConsistencySettings;
  readonly missingImagesFail: boolean;
  readonly serviceTasks: Map<string, ServiceTaskRecord>;
  readonly unseenRevisions: Map<string, number>;
  readonly revisions: Map<string, ServiceRevisionRecord>;
}

/**
 * ECS deployment and task simulation. Stateful; `reset()` forgets everything. All methods take
 * moto's parsed answer and the client's parsed request and return the answer to send.
 */
export class EcsSimulation {
  private readonly services = new Map<string, Service>();
  private readonly tasks = new Map<string, Task>();
  private rules: SimRule[] = [];
  private consistency: ConsistencySettings = { ...DEFAULT_CONSISTENCY };
  /** Deployments whose images are missing from ECR fail (on by default; `POST /_sim/images`). */
  private missingImagesFail = true;
  private imageCheck: ImageCheck = async () => undefined;
  /** Stopped tasks of failed deployments, by task ARN. */
  private readonly serviceTasks = new Map<string, ServiceTaskRecord>();
  /** Revisions (family:revision) ECS does not show yet, with how many more reads miss them. */
  private readonly unseenRevisions = new Map<string, number>();
  /** Service revisions, by ARN. */
  private readonly revisions = new Map<string, ServiceRevisionRecord>();
  private digestLookup: DigestLookup = async () => undefined;
  /** CloudWatch Logs (moto), when the proxy gave it: tasks write there (test/emulator/task-logs.ts). */
  private logs: LogsBackend | undefined;
  /** Log writes decided while answering synchronously; the proxy awaits them before it answers. */
  private pendingLogs: Array<() => Promise<void>> = [];

  constructor(
    private readonly lookup: TaskDefinitionLookup,
    private readonly now: () => number = Date.now,
  ) {}

  /** Forget all services, tasks and rules. */
  reset(): void {
    this.services.clear();
    this.tasks.clear();
    this.unseenRevisions.clear();
    this.rules = [];
    this.consistency = { ...DEFAULT_CONSISTENCY };
    this.missingImagesFail = true;
    this.serviceTasks.clear();
    this.revisions.clear();
  }

  /**
   * Everything the simulation holds, copied (`POST /_sim/restore`, proxy.ts): services, tasks, service
   * revisions, rules and settings. Log lines not yet written are not part of it (the proxy takes a
   * snapshot between requests, when every answer has written its lines).
   */
  snapshot(): SimulationSnapshot {
    return structuredClone({
      services: this.services,
      tasks: this.tasks,
      rules: this.rules,
      consistency: this.consistency,
      missingImagesFail: this.missingImagesFail,
      serviceTasks: this.serviceTasks,
      unseenRevisions: this.unseenRevisions,
      revisions: this.revisions,
    });
  }

  /** Back to what {@link snapshot} copied (a copy of it: the snapshot stays as it was). */
  restore(snapshot: SimulationSnapshot): void {
    const copy = structuredClone(snapshot);
    for (const [map, from] of [
      [this.services, copy.services],
      [this.tasks, copy.tasks],
      [this.serviceTasks, copy.serviceTasks],
      [this.unseenRevisions, copy.unseenRevisions],
      [this.revisions, copy.revisions],
    ] as Array<[Map<string, unknown>, Map<string, unknown>]>) {
      map.clear();
      for (const [key, value] of from) map.set(key, value);
    }
    this.rules = copy.rules;
    this.consistency = copy.consistency;
    this.missingImagesFail = copy.missingImagesFail;
  }

  /** Where tasks write their awslogs output. */
  setLogsBackend(backend: LogsBackend): void {
    this.logs = backend;
  }

  /** Writes the log lines decided since the last flush (in order). */
  async flushLogs(): Promise<void> {
    const pending = this.pendingLogs;
    this.pendingLogs = [];
    for (const write of pending) await write();
  }

  /** Queues lines for the awslogs stream of each container of `containers` that has one. */
  private queueLines(taskArn: string, containers: ReadonlyArray<{ name: string; image?: string | undefined; logConfiguration?: unknown }>, lines: (container: { name: string; image?: string | undefined }) => string[]): void {
    const backend = this.logs;
    if (backend === undefined) return;
    for (const container of containers) {
      const awslogs = awslogsOf(container.logConfiguration);
      const stream = awslogs === undefined ? undefined : streamName(awslogs, container.name, taskArn);
      const text = lines(container);
      if (awslogs === undefined || stream === undefined || text.length === 0) continue;
      this.pendingLogs.push(() => backend.put(awslogs.group, stream, text));
    }
  }

  /** How to find the digest of an image in the emulated ECR (for service revisions' containerImages). */
  private environmentResolver: TaskEnvironmentResolver | undefined;

  /** How tasks resolve their environment at start (the proxy reads moto's Secrets Manager). */
  setEnvironmentResolver(resolver: TaskEnvironmentResolver): void {
    this.environmentResolver = resolver;
  }

  /** The environment the tasks of a service's PRIMARY deployment started with, by container; undefined when unknown. */
  serviceEnvironment(clusterArn: string, serviceName: string): Record<string, Record<string, string>> | undefined {
    const state = this.services.get(`${clusterArn}|${serviceName}`);
    return state?.deployments.find((d) => d.status === "PRIMARY")?.environment;
  }

  setDigestLookup(lookup: DigestLookup): void {
    this.digestLookup = lookup;
  }

  /** How to tell whether an image exists in the emulated ECR. */
  setImageCheck(check: ImageCheck): void {
    this.imageCheck = check;
  }

  /** Turn the failing of deployments with images missing from ECR on or off; returns the setting. */
  setMissingImagesFail(on: boolean): boolean {
    this.missingImagesFail = on;
    return on;
  }

  /** Whether deployments with images missing from ECR fail. */
  getMissingImagesFail(): boolean {
    return this.missingImagesFail;
  }

  /**
   * ListTasks overlay: the ARNs of stopped tasks of failed deployments matching the request's
   * cluster, serviceName, startedBy and desiredStatus (STOPPED; RUNNING, the default, matches none).
   */
  listServiceTasks(request: JsonObject): string[] {
    if (stringField(request, "desiredStatus") !== "STOPPED") return [];
    const cluster = stringField(request, "cluster") ?? "default";
    const serviceName = stringField(request, "serviceName");
    const startedBy = stringField(request, "startedBy");
    return [...this.serviceTasks.values()]
      .filter((task) => sameCluster(task.clusterArn, cluster) && (serviceName === undefined || task.serviceName === serviceName) && (startedBy === undefined || task.startedBy === startedBy))
      .map((task) => task.taskArn);
  }

  /** DescribeTasks overlay: the stopped service tasks among `arns`, in ECS's Task shape. */
  describeServiceTasks(arns: readonly string[]): JsonObject[] {
    return arns.flatMap((arn) => {
      const task = this.serviceTasks.get(arn);
      if (task === undefined) return [];
      return [
        {
          taskArn: task.taskArn,
          clusterArn: task.clusterArn,
          taskDefinitionArn: task.taskDefinitionArn,
          group: `service:${task.serviceName}`,
          startedBy: task.startedBy,
          lastStatus: "STOPPED",
          desiredStatus: "STOPPED",
          launchType: "FARGATE",
          createdAt: task.createdAt,
          stoppingAt: task.stoppedAt,
          stoppedAt: task.stoppedAt,
          stoppedReason: task.stoppedReason,
          stopCode: task.stopCode,
          containers: task.containers.map((container) => ({
            containerArn: `${task.taskArn.replace(":task/", ":container/")}/${container.name}`,
            taskArn: task.taskArn,
            name: container.name,
            image: container.image,
            lastStatus: "STOPPED",
            ...(container.exitCode !== undefined ? { exitCode: container.exitCode } : {}),
            ...(container.reason !== undefined ? { reason: container.reason } : {}),
          })),
          overrides: { containerOverrides: [] },
          attachments: [],
        },
      ];
    });
  }

  /**
   * Auto scaling (`POST /_sim/scale`): set a service's desiredCount as Application Auto Scaling does,
   * without an UpdateService of ours. A COMPLETED deployment stays COMPLETED while the new tasks start.
   */
  autoScale(cluster: string, serviceName: string, desiredCount: number): boolean {
    const state = this.findService(cluster, serviceName);
    if (state === undefined) return false;
    this.applyAutoScaling(state, desiredCount, this.seconds());
    return true;
  }

  private applyAutoScaling(state: Service, desiredCount: number, at: number): void {
    state.desiredCount = desiredCount;
    const primary = state.deployments.find((deployment) => deployment.status === "PRIMARY");
    if (primary === undefined) return;
    primary.desiredCount = desiredCount;
    primary.updatedAt = at;
    if (!primary.inFlight && primary.rolloutState === "COMPLETED") {
      // Scale-in stops tasks at once; scale-out tasks start on the next DescribeServices.
      if (desiredCount < primary.runningCount) {
        this.addEvent(state, stoppedMessage(state.name, primary.runningCount - desiredCount), at);
        primary.runningCount = desiredCount;
      }
      primary.pendingCount = Math.max(0, desiredCount - primary.runningCount);
    }
    this.addEvent(state, `(service ${state.name}) desired count changed to ${desiredCount} by auto scaling.`, at);
  }

  /** Change the eventual-consistency settings (the fields given); returns them all. */
  setConsistency(settings: Partial<ConsistencySettings>): ConsistencySettings {
    this.consistency = { ...this.consistency, ...settings };
    return this.getConsistency();
  }

  /** The eventual-consistency settings. */
  getConsistency(): ConsistencySettings {
    return { ...this.consistency };
  }

  /** Add a rule; the newest matching rule wins. */
  addRule(rule: SimRule): void {
    this.rules.push({ ...rule });
  }

  /** The rules, oldest first. */
  listRules(): SimRule[] {
    return this.rules.map((rule) => ({ ...rule }));
  }

  /** RunTask requests received, in order. */
  listTasks(): TaskRecord[] {
    return [...this.tasks.values()].map((task) => ({ taskArn: task.taskArn, request: clone(task.request) }));
  }

  private planFor(images: readonly string[]): Plan {
    for (let index = this.rules.length - 1; index >= 0; index -= 1) {
      const rule = this.rules[index];
      if (rule !== undefined && images.some((image) => image.includes(rule.match))) {
        const plan: Plan = {
          outcome: rule.outcome,
          steps: Math.max(1, rule.steps ?? DEFAULT_PLAN.steps),
          exitCode: rule.exitCode ?? DEFAULT_PLAN.exitCode,
          ...(rule.stopCode !== undefined ? { stopCode: rule.stopCode } : {}),
          ...(rule.stoppedReason !== undefined ? { stoppedReason: rule.stoppedReason } : {}),
          ...(rule.containerExitCodes !== undefined ? { containerExitCodes: { ...rule.containerExitCodes } } : {}),
        };
        if (rule.exitCode !== undefined) plan.exitCodeGiven = true;
        if (rule.scaleTo !== undefined) plan.scaleTo = rule.scaleTo;
        if (rule.scaleAtStep !== undefined) plan.scaleAtStep = rule.scaleAtStep;
        if (rule.failStage !== undefined) plan.failStage = rule.failStage;
        if (rule.bakeSteps !== undefined) plan.bakeSteps = rule.bakeSteps;
        if (rule.logLines !== undefined) plan.logLines = [...rule.logLines];
        return plan;
      }
    }
    return { ...DEFAULT_PLAN };
  }

  private seconds(): number {
    return this.now() / 1000;
  }

  // ---------------------------------------------------------------- services

  /** CreateService succeeded in moto: remember the service, steady on its first deployment. */
  async createService(request: JsonObject, service: JsonObject): Promise<JsonObject> {
    const key = serviceKey(service);
    if (key === undefined) return service;
    const name = stringField(service, "serviceName") ?? "";
    const reference = stringField(service, "taskDefinition") ?? stringField(request, "taskDefinition") ?? "";
    const taskDefinition = (await this.lookup(reference))?.arn ?? reference;
    const desiredCount = numberField(request, "desiredCount") ?? numberField(service, "desiredCount") ?? 0;
    const config = isJsonObject(request["deploymentConfiguration"]) ? request["deploymentConfiguration"] : {};
    const state: Service = {
      name,
      clusterArn: stringField(service, "clusterArn") ?? "",
      taskDefinition,
      desiredCount,
      deploymentConfiguration: withDefaultDeploymentConfiguration(config),
      deployments: [],
      events: [],
      records: [],
    };
    const serviceArn = stringField(service, "serviceArn");
    if (serviceArn !== undefined) state.serviceArn = serviceArn;
    const controller = request["deploymentController"] ?? service["deploymentController"];
    if (isJsonObject(controller) && typeof controller["type"] === "string") state.deploymentController = clone(controller);
    const strategy = request["capacityProviderStrategy"];
    if (Array.isArray(strategy) && strategy.length > 0) state.capacityProviderStrategy = clone(strategy);
    const launchType = stringField(request, "launchType") ?? stringField(service, "launchType");
    if (launchType !== undefined && state.capacityProviderStrategy === undefined) state.launchType = launchType;
    const network = request["networkConfiguration"] ?? service["networkConfiguration"];
    if (isJsonObject(network) && Object.keys(network).length > 0) state.networkConfiguration = clone(network);
    const at = this.seconds();
    const deployment = this.newDeployment(state, taskDefinition, { ...DEFAULT_PLAN }, at, state.networkConfiguration);
    deployment.inFlight = false;
    deployment.rolloutState = "COMPLETED";
    deployment.rolloutStateReason = `ECS deployment ${deployment.id} completed.`;
    deployment.runningCount = desiredCount;
    deployment.pendingCount = 0;
    state.deployments = [deployment];
    // ECS records the service's first deployment too (SUCCESSFUL here: the service starts steady).
    const record = this.openRecord(state, deployment, await this.newRevision(state, deployment, at), at);
    if (record !== undefined) Object.assign(record, { status: "SUCCESSFUL", startedAt: at, finishedAt: at, production: 100, test: 100 });
    if (desiredCount > 0) this.addEvent(state, startedMessage(name, desiredCount), at);
    this.addEvent(state, `(service ${name}) has reached a steady state.`, at);
    this.services.set(key, state);
    return this.render(state, service);
  }

  /**
   * UpdateService succeeded in moto: start a new deployment when the task definition changed or
   * `forceNewDeployment` is set; apply desiredCount and deploymentConfiguration changes.
   */
  async updateService(request: JsonObject, service: JsonObject): Promise<JsonObject> {
    const state = await this.adopt(service);
    if (state === undefined) return service;
    // Eventual consistency: the next reads may still show the service as it is now, before this update.
    const staleReads = this.consistency.staleServiceReads;
    if (staleReads > 0) state.stale = { view: clone(this.render(state, service)), reads: staleReads };
    const at = this.seconds();
    const config = request["deploymentConfiguration"];
    if (isJsonObject(config)) {
      state.deploymentConfiguration = withDefaultDeploymentConfiguration({ ...state.deploymentConfiguration, ...config });
    }
    const desiredCount = numberField(request, "desiredCount");
    if (desiredCount !== undefined) this.scale(state, desiredCount);
    if (isJsonObject(request["networkConfiguration"])) state.networkConfiguration = clone(request["networkConfiguration"]);

    const reference = stringField(request, "taskDefinition");
    const info = reference === undefined ? undefined : await this.lookup(reference);
    const target = info?.arn ?? state.taskDefinition;
    if (target !== state.taskDefinition || request["forceNewDeployment"] === true) {
      const images = info?.images ?? (await this.lookup(target))?.images ?? [];
      const plan = this.planFor([...images, ...(info?.tagNames ?? [])]);
      const missing = this.missingImagesFail ? await this.firstMissingImage(images) : undefined;
      if (missing !== undefined) Object.assign(plan, { outcome: "fail", missingImage: missing } satisfies Partial<Plan>);
      // ECS fetches the secrets before starting any container: one it cannot fetch fails every task.
      const resolved = this.environmentResolver === undefined ? undefined : await this.environmentResolver(target);
      if (resolved !== undefined && "failure" in resolved && missing === undefined) Object.assign(plan, { outcome: "fail", startFailure: resolved.failure } satisfies Partial<Plan>);
      const group = missing === undefined ? await missingLogGroup(this.logs, info?.containers ?? (await this.lookup(target))?.containers ?? []) : undefined;
      if (group !== undefined) Object.assign(plan, { outcome: "fail", missingLogGroup: group } satisfies Partial<Plan>);
      const deployment = this.newDeployment(state, target, plan, at, state.networkConfiguration);
      if (resolved !== undefined && "environment" in resolved) deployment.environment = resolved.environment;
      // The revision is read before the deployment starts: from here to the answer nothing awaits, so a
      // concurrent UpdateService cannot slip in between (ECS answers with the service right after this update).
      const revision = await this.newRevision(state, deployment, at);
      const reconcile = state.deployments.length > 1;
      const previousRecord = state.records[0]?.serviceDeploymentArn;
      this.startDeployment(state, deployment);
      this.openRecord(state, deployment, revision, at, reconcile);
      if (this.consistency.staleCurrentServiceDeployment && previousRecord !== undefined) state.lagCurrent = { arn: previousRecord, reads: 2 };
      if (this.consistency.doubleServiceDeployments) deployment.splitPending = true;
    }
    return this.render(state, service);
  }

  /** DescribeServices answered by moto: advance this service's rollout one step and overlay it. */
  async describeService(service: JsonObject): Promise<JsonObject> {
    if (stringField(service, "status") !== "ACTIVE") return service;
    const state = await this.adopt(service);
    if (state === undefined) return service;
    if (state.stale !== undefined && state.stale.reads > 0 && this.consistency.freshFirst && state.stale.freshShown !== true) {
      // Not monotonic: one read shows the update before the stale ones come.
      state.stale.freshShown = true;
      await this.advance(state);
      return this.render(state, service);
    }
    if (state.stale !== undefined && state.stale.reads > 0) {
      // A stale read: the service as it was before the last UpdateService; nothing advances.
      state.stale.reads -= 1;
      const view = clone(state.stale.view);
      if (state.stale.reads === 0) delete state.stale;
      return view;
    }
    delete state.stale;
    await this.advance(state);
    const view = this.render(state, service);
    if (state.lagCurrent !== undefined && --state.lagCurrent.reads <= 0) delete state.lagCurrent;
    return view;
  }

  /**
   * The deployment controller refuses UpdateService with a task definition: the ECS error for
   * CODE_DEPLOY services ("Unable to update task definition on services with a CODE_DEPLOY deployment
   * controller. Use AWS CodeDeploy to trigger a new deployment.", as ECS answers it — e.g. boto/boto3#1936),
   * and the same sentence for EXTERNAL ones, which deploy through task sets (UpdateService reference:
   * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html). Undefined: allowed.
   */
  refuseUpdate(request: JsonObject): string | undefined {
    const hooks = this.refuseLifecycleHooks(request);
    if (hooks !== undefined) return hooks;
    const type = this.findService(stringField(request, "cluster") ?? "default", stringField(request, "service") ?? "")?.deploymentController?.["type"];
    if (typeof request["taskDefinition"] !== "string" || (type !== "CODE_DEPLOY" && type !== "EXTERNAL")) return undefined;
    return type === "CODE_DEPLOY"
      ? "Unable to update task definition on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment."
      : "Unable to update task definition on services with a EXTERNAL deployment controller. Use CreateTaskSet to deploy a new task set.";
  }

  /**
   * The first image of the emulated account's ECR (in this region) that ECR does not have: ECS cannot
   * pull it, and its tasks stop with CannotPullContainerError
   * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_cannot_pull_image.html).
   */
  private async firstMissingImage(images: readonly string[]): Promise<string | undefined> {
    for (const image of images) if ((await this.imageCheck(image)) === false) return image;
    return undefined;
  }

  /** The simulated service named by a cluster (name or ARN) and a service (name or ARN). */
  private findService(cluster: string, service: string): Service | undefined {
    const name = service.slice(service.lastIndexOf("/") + 1);
    return [...this.services.values()].find((state) => state.name === name && sameCluster(state.clusterArn, cluster));
  }

  /** DeleteService succeeded: forget the service. */
  deleteService(service: JsonObject): void {
    const key = serviceKey(service);
    if (key !== undefined) this.services.delete(key);
  }

  /** Find the simulated service for moto's service, creating a steady one if it is new to us. */
  private async adopt(service: JsonObject): Promise<Service | undefined> {
    const key = serviceKey(service);
    if (key === undefined) return undefined;
    const known = this.services.get(key);
    if (known !== undefined) return known;
    await this.createService({}, service);
    return this.services.get(key);
  }

  private newDeployment(state: Service, taskDefinition: string, plan: Plan, at: number, network: unknown): Deployment {
    const id = `ecs-svc/${randomDigits(19)}`;
    const deployment: Deployment = {
      id,
      status: "PRIMARY",
      taskDefinition,
      desiredCount: state.desiredCount,
      pendingCount: 0,
      runningCount: 0,
      failedTasks: 0,
      createdAt: at,
      updatedAt: at,
      rolloutState: "IN_PROGRESS",
      rolloutStateReason: `ECS deployment ${id} in progress.`,
      inFlight: true,
      plan,
      stepsTaken: 0,
      baselines: new Map(),
    };
    if (network !== undefined) deployment.networkConfiguration = clone(network);
    return deployment;
  }

  /** Make `deployment` the PRIMARY one; the current PRIMARY becomes ACTIVE. */
  private startDeployment(state: Service, deployment: Deployment): void {
    const primary = state.deployments.find((candidate) => candidate.status === "PRIMARY");
    if (primary !== undefined) {
      deployment.previous = { id: primary.id, taskDefinition: primary.taskDefinition };
      if (deployment.networkConfiguration === undefined && primary.networkConfiguration !== undefined) {
        deployment.networkConfiguration = clone(primary.networkConfiguration);
      }
    }
    for (const older of state.deployments) {
      older.status = "ACTIVE";
      older.inFlight = false;
      deployment.baselines.set(older.id, older.runningCount);
    }
    state.deployments.unshift(deployment);
    state.taskDefinition = deployment.taskDefinition;
  }

  private scale(state: Service, desiredCount: number): void {
    state.desiredCount = desiredCount;
    const primary = state.deployments.find((deployment) => deployment.status === "PRIMARY");
    if (primary === undefined) return;
    primary.desiredCount = desiredCount;
    if (!primary.inFlight && primary.rolloutState === "COMPLETED") {
      primary.runningCount = desiredCount;
      primary.pendingCount = 0;
    }
  }

  /** One step of every in-flight deployment of this service. */
  private async advance(state: Service): Promise<void> {
    const at = this.seconds();
    for (const deployment of [...state.deployments]) {
      if (!deployment.inFlight || deployment.status !== "PRIMARY") continue;
      if (deployment.splitPending === true) this.splitRecord(state, deployment, at);
      const record = this.recordOf(deployment);
      if (record?.status === "PENDING") Object.assign(record, { status: "IN_PROGRESS", startedAt: at, updatedAt: at });
      if (record?.status === "ROLLBACK_REQUESTED" && deployment.rollbackOf !== true) {
        this.stopAndRollBack(state, deployment, record, at);
        continue;
      }
      if (record?.steps !== undefined && deployment.rollbackOf !== true) {
        await this.advanceNative(state, deployment, record, at);
        continue;
      }
      deployment.stepsTaken += 1;
      deployment.updatedAt = at;
      const { outcome, steps } = deployment.plan;
      const desired = deployment.desiredCount;
      const last = deployment.stepsTaken >= steps;
      if (outcome === "complete" && last) {
        this.moveTo(state, deployment, desired, at);
        this.complete(state, deployment, at);
      } else if (outcome === "complete" || outcome === "stuck") {
        let target = Math.floor((desired * deployment.stepsTaken) / steps);
        if (outcome === "stuck") target = Math.min(target, Math.max(0, desired - 1));
        this.moveTo(state, deployment, target, at);
      } else {
        const started = Math.max(1, desired);
        deployment.failedTasks += started;
        deployment.pendingCount = last ? 0 : desired;
        if (record !== undefined) record.failureCount += started;
        this.addEvent(state, startedMessage(state.name, started), at);
        await this.recordFailedTasks(state, deployment, started, at);
        if (last) this.fail(state, deployment, at);
      }
      const { scaleTo, scaleAtStep } = deployment.plan;
      if (scaleTo !== undefined && deployment.stepsTaken === Math.min(scaleAtStep ?? steps, steps)) this.applyAutoScaling(state, scaleTo, at);
    }
    // Tasks started by auto scaling on a COMPLETED deployment are running by the next step.
    const primary = state.deployments.find((deployment) => deployment.status === "PRIMARY");
    if (primary !== undefined && !primary.inFlight && primary.rolloutState === "COMPLETED" && primary.runningCount < primary.desiredCount && primary.updatedAt < at) {
      this.addEvent(state, startedMessage(state.name, primary.desiredCount - primary.runningCount), at);
      primary.runningCount = primary.desiredCount;
      primary.pendingCount = 0;
      primary.updatedAt = at;
    }
  }

  /**
   * The tasks a failing deployment started stop at once, as ECS shows them: findable with ListTasks
   * (startedBy = the deployment id, desiredStatus STOPPED) and DescribeTasks, with stoppedReason,
   * stopCode and each container's exit code and reason (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-errors.html):
   * a missing image → TaskFailedToStart with CannotPullContainerError; else the essential container
   * exits with the rule's exit code (137: OutOfMemoryError) → EssentialContainerExited.
   */
  private async recordFailedTasks(state: Service, deployment: Deployment, count: number, at: number): Promise<void> {
    const info = await this.lookup(deployment.taskDefinition);
    const containers = info?.containers ?? (info?.images ?? []).map((image, index) => ({ name: `container-${index}`, image, essential: true }));
    const { missingImage, missingLogGroup: noGroup } = deployment.plan;
    const exitCode = deployment.plan.exitCodeGiven === true ? deployment.plan.exitCode : 1;
    const clusterName = state.clusterArn.slice(state.clusterArn.lastIndexOf("/") + 1);
    const taskPrefix = state.clusterArn.replace(":cluster/", ":task/").replace(`/${clusterName}`, `/${clusterName}/`);
    for (let index = 0; index < count; index += 1) {
      const pull =
        missingImage !== undefined
          ? `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${missingImage}: ${missingImage}: not found`
          : noGroup !== undefined
            ? MISSING_LOG_GROUP_REASON
            : deployment.plan.startFailure;
      const record: ServiceTaskRecord = {
        taskArn: `${taskPrefix}${randomBytes(16).toString("hex")}`,
        clusterArn: state.clusterArn,
        serviceName: state.name,
        taskDefinitionArn: deployment.taskDefinition,
        startedBy: deployment.id,
        stoppedReason: pull ?? "Essential container in task exited",
        stopCode: pull !== undefined ? "TaskFailedToStart" : "EssentialContainerExited",
        createdAt: at,
        stoppedAt: at,
        containers: containers.map((container) => {
          if (pull !== undefined) return { name: container.name, image: container.image, ...(container.image === missingImage ? { reason: pull } : {}) };
          if (!container.essential) return { name: container.name, image: container.image, exitCode: 143 };
          return { name: container.name, image: container.image, exitCode, ...(exitCode === 137 ? { reason: "OutOfMemoryError: Container killed due to memory usage" } : {}) };
        }),
      };
      this.serviceTasks.set(record.taskArn, record);
      if (pull === undefined) {
        this.queueLines(record.taskArn, containers, (container) => {
          const code = record.containers.find((c) => c.name === container.name)?.exitCode;
          return code === undefined || code === 143 ? [] : [startLine(container.name, undefined), ...endLines(container.image ?? "", code)];
        });
      }
      if (pull !== undefined && index === 0) this.addEvent(state, `(service ${state.name}) (task ${record.taskArn.slice(record.taskArn.lastIndexOf("/") + 1)}) failed to start: ${pull}`, at);
    }
    const ofDeployment = [...this.serviceTasks.values()].filter((task) => task.startedBy === deployment.id);
    for (const old of ofDeployment.slice(0, Math.max(0, ofDeployment.length - MAX_STOPPED_TASKS))) this.serviceTasks.delete(old.taskArn);
  }

  /** Set the new deployment's running count to `target`, draining older deployments to match. */
  private moveTo(state: Service, deployment: Deployment, target: number, at: number): void {
    const started = target - deployment.runningCount;
    deployment.runningCount = target;
    deployment.pendingCount = Math.max(0, deployment.desiredCount - target);
    if (started > 0) this.addEvent(state, startedMessage(state.name, started), at);
    let toDrain = target;
    let stopped = 0;
    const olders = state.deployments.filter((older) => older !== deployment).reverse(); // oldest first
    for (const older of olders) {
      const baseline = deployment.baselines.get(older.id) ?? older.runningCount;
      const drained = Math.min(baseline, toDrain);
      toDrain -= drained;
      const running = baseline - drained;
      if (running !== older.runningCount) {
        stopped += older.runningCount - running;
        older.runningCount = running;
        older.pendingCount = 0;
        older.updatedAt = at;
      }
    }
    if (stopped > 0) this.addEvent(state, stoppedMessage(state.name, stopped), at);
  }

  private complete(state: Service, deployment: Deployment, at: number): void {
    const remaining = state.deployments.filter((older) => older !== deployment).reduce((sum, older) => sum + older.runningCount, 0);
    if (remaining > 0) this.addEvent(state, stoppedMessage(state.name, remaining), at);
    deployment.inFlight = false;
    deployment.rolloutState = "COMPLETED";
    deployment.rolloutStateReason = `ECS deployment ${deployment.id} completed.`;
    deployment.runningCount = deployment.desiredCount;
    deployment.pendingCount = 0;
    state.deployments = [deployment];
    const record = this.recordOf(deployment);
    if (record !== undefined) {
      if (deployment.rollbackOf === true) Object.assign(record, { status: "ROLLBACK_SUCCESSFUL", finishedAt: at, updatedAt: at });
      else Object.assign(record, { status: "SUCCESSFUL", finishedAt: at, updatedAt: at, production: 100, test: 100 });
    }
    this.addEvent(state, `(service ${state.name}) (deployment ${deployment.id}) deployment completed.`, at);
    this.addEvent(state, `(service ${state.name}) has reached a steady state.`, at);
  }

  /**
   * The deployment FAILED. With the circuit breaker's rollback (or `forceRollback`: a lifecycle hook
   * that returned FAILED always rolls back) a new PRIMARY deployment returns to the previous revision;
   * without, the FAILED deployment stays and its service deployment is STOPPED.
   */
  private fail(state: Service, deployment: Deployment, at: number, reason = "ECS deployment circuit breaker: tasks failed to start.", forceRollback = false): void {
    deployment.inFlight = false;
    deployment.rolloutState = "FAILED";
    deployment.rolloutStateReason = reason;
    deployment.runningCount = 0;
    deployment.pendingCount = 0;
    this.addEvent(state, `(service ${state.name}) deployment ${deployment.id} deployment failed: ${forceRollback ? reason : "tasks failed to start."}`, at);
    const breaker = state.deploymentConfiguration["deploymentCircuitBreaker"];
    const rollback = forceRollback || (isJsonObject(breaker) && breaker["enable"] === true && breaker["rollback"] === true);
    const record = this.recordOf(deployment);
    if (!rollback || deployment.previous === undefined) {
      if (record !== undefined) Object.assign(record, { status: "STOPPED", stoppedAt: at, updatedAt: at, statusReason: reason });
      return;
    }
    const target = deployment.previous;
    this.startRollback(state, deployment, record, reason, `ECS deployment circuit breaker: rolling back to deploymentId ${target.id}.`, 1, at);
  }

  /** A new PRIMARY deployment of the revision before `deployment`, the rollback of its service deployment. */
  private startRollback(state: Service, deployment: Deployment, record: ServiceDeploymentRecord | undefined, reason: string, rolloutStateReason: string, steps: number, at: number): void {
    // ECS goes back to the last deployment that completed ("the service is rolled back to the last
    // deployment that completed successfully": DeploymentConfiguration.deploymentCircuitBreaker,
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html),
    // not merely to the deployment that was PRIMARY before (which a newer update may have replaced mid-flight).
    const completed = state.records.find((other) => other !== record && other.status === "SUCCESSFUL");
    const completedRevision = completed === undefined ? undefined : this.revisions.get(completed.targetRevisionArn);
    const target = completedRevision !== undefined ? { id: completed?.deploymentId ?? "", taskDefinition: completedRevision.taskDefinition } : deployment.previous;
    if (target === undefined) return;
    const rollbackDeployment = this.newDeployment(state, target.taskDefinition, { outcome: "complete", steps, exitCode: 0 }, at, deployment.networkConfiguration);
    rollbackDeployment.rolloutStateReason = rolloutStateReason;
    if (record !== undefined) {
      rollbackDeployment.recordArn = record.serviceDeploymentArn;
      rollbackDeployment.rollbackOf = true;
      const source = completedRevision?.serviceRevisionArn ?? record.sourceRevisionArns[0];
      if (source !== undefined) rollbackDeployment.revisionArn = source;
      Object.assign(record, { status: "ROLLBACK_IN_PROGRESS", statusReason: reason, updatedAt: at, production: 0, test: 0 });
      record.rollback ??= { reason, startedAt: at, serviceRevisionArn: source ?? "" };
    }
    this.startDeployment(state, rollbackDeployment);
    this.addEvent(state, `(service ${state.name}) rolling back to deployment ${target.id}.`, at);
  }

  /**
   * StopServiceDeployment (ROLLBACK) takes effect: the deployment stops (FAILED, its tasks stopped) and
   * ECS rolls back to the source revision. Native strategies: the blue tasks still run, so production
   * traffic is back on them at once and the rollback completes at the next step; rolling: the old
   * revision's tasks start again over the default 2 steps.
   */
  private stopAndRollBack(state: Service, deployment: Deployment, record: ServiceDeploymentRecord, at: number): void {
    const reason = "Service deployment rolled back because of a stop request (StopServiceDeployment, stopType ROLLBACK).";
    const native = record.steps !== undefined;
    deployment.inFlight = false;
    deployment.rolloutState = "FAILED";
    deployment.rolloutStateReason = `ECS deployment ${deployment.id} stopped: rollback requested.`;
    if (deployment.runningCount > 0) this.addEvent(state, stoppedMessage(state.name, deployment.runningCount), at);
    deployment.runningCount = 0;
    deployment.pendingCount = 0;
    this.addEvent(state, `(service ${state.name}) deployment ${deployment.id} stopped: rollback requested.`, at);
    this.startRollback(state, deployment, record, reason, `ECS deployment ${deployment.id} rolled back on request.`, native ? 1 : DEFAULT_PLAN.steps, at);
  }

  /**
   * One step of a BLUE_GREEN, LINEAR or CANARY deployment: the next lifecycle stage (see
   * service-deployments.ts). Green scales up to desired in SCALE_UP while blue keeps its tasks; traffic
   * moves by the steps' shares; CLEAN_UP stops blue and completes. A `fail` rule fails at `failStage`
   * (default SCALE_UP): as its lifecycle hook returning FAILED when one is configured for that stage
   * (ECS rolls back), else as green tasks failing (the circuit breaker decides). `stuck` stays in SCALE_UP.
   */
  private async advanceNative(state: Service, deployment: Deployment, record: ServiceDeploymentRecord, at: number): Promise<void> {
    const steps = record.steps ?? [];
    const plan = deployment.plan;
    const desired = deployment.desiredCount;
    deployment.updatedAt = at;
    record.updatedAt = at;
    if (record.pause !== undefined && !this.pauseEnds(record, at)) return;
    if (plan.outcome === "stuck" && steps[record.stepIndex]?.stage === "SCALE_UP") {
      if (deployment.runningCount < Math.max(0, desired - 1)) this.addEvent(state, startedMessage(state.name, Math.max(0, desired - 1) - deployment.runningCount), at);
      deployment.runningCount = Math.max(0, desired - 1);
      deployment.pendingCount = desired - deployment.runningCount;
      return;
    }
    record.stepIndex = Math.min(record.stepIndex + 1, steps.length - 1);
    const step = steps[record.stepIndex];
    if (step === undefined) return;
    deployment.stepsTaken += 1;
    record.production = step.production;
    record.test = step.test;
    // Every hook of the stage runs; the deployment goes on once all have completed (hooksFor). The
    // emulator's Lambda hooks answer at once: SUCCEEDED, or FAILED where the plan fails this stage.
    const hooks = hooksFor(record.deploymentConfiguration, step.stage);
    const hookDetail = (hook: Record<string, unknown>, index: number, status: string): Record<string, unknown> => ({
      hookId: createHash("sha256").update(`${record.serviceDeploymentArn}:${step.stage}${index === 0 ? "" : `:${index}`}`).digest("hex").slice(0, 32),
      targetType: typeof hook["targetType"] === "string" ? hook["targetType"] : "AWS_LAMBDA",
      ...(typeof hook["hookTargetArn"] === "string" ? { targetArn: hook["hookTargetArn"] } : {}),
      status,
    });
    const failing = plan.outcome === "fail" && step.stage === (plan.failStage ?? "SCALE_UP");
    const lambda = hooks.find((hook) => hook["targetType"] !== "PAUSE");
    const pause = hooks.find((hook) => hook["targetType"] === "PAUSE");
    if (failing && lambda !== undefined) {
      // A Lambda hook answering FAILED rolls the deployment back ("Amazon ECS rolls back the deployment",
      // lambda-lifecycle-hooks.md); a PAUSE hook of the same stage is then not waited for (our assumption).
      record.hookDetails = hooks.flatMap((hook, index) => (hook["targetType"] === "PAUSE" ? [] : [hookDetail(hook, index, hook === lambda ? "FAILED" : "SUCCEEDED")]));
      const reason = `lifecycle hook ${String(lambda["hookTargetArn"] ?? "")} returned hookStatus FAILED in ${step.stage}`;
      this.fail(state, deployment, at, reason, true);
      return;
    }
    if (pause !== undefined) {
      const index = hooks.indexOf(pause);
      this.holdAtPause(record, pause, String(hookDetail(pause, index, "AWAITING_ACTION")["hookId"]), at, (detail) => hooks.map((hook, i) => (i === index ? detail : hookDetail(hook, i, "SUCCEEDED"))));
      return;
    }
    if (hooks.length > 0) record.hookDetails = hooks.map((hook, index) => hookDetail(hook, index, "IN_PROGRESS"));
    else delete record.hookDetails;
    if (failing) {
      const started = Math.max(1, desired);
      deployment.failedTasks += started;
      record.failureCount += started;
      this.addEvent(state, startedMessage(state.name, started), at);
      await this.recordFailedTasks(state, deployment, started, at);
      this.fail(state, deployment, at);
      return;
    }
    if (step.stage === "SCALE_UP" && deployment.runningCount < desired) {
      this.addEvent(state, startedMessage(state.name, desired - deployment.runningCount), at);
      deployment.runningCount = desired;
      deployment.pendingCount = 0;
    } else if (step.stage === "CLEAN_UP") {
      this.complete(state, deployment, at);
    }
  }

  /**
   * A second service deployment for one update (ConsistencySettings.doubleServiceDeployments): the first
   * record is STOPPED; a new record with a new service revision of the same task definition carries the
   * deployment on from where it was.
   */
  private splitRecord(state: Service, deployment: Deployment, at: number): void {
    delete deployment.splitPending;
    const first = this.recordOf(deployment);
    const revision = first === undefined ? undefined : this.revisions.get(first.targetRevisionArn);
    if (first === undefined || revision === undefined || !STOPPABLE.has(first.status)) return;
    const copy: ServiceRevisionRecord = { ...clone(revision), serviceRevisionArn: serviceRevisionArn(state.clusterArn, state.name), createdAt: at };
    this.revisions.set(copy.serviceRevisionArn, copy);
    const second: ServiceDeploymentRecord = { ...clone(first), serviceDeploymentArn: serviceDeploymentArn(state.clusterArn, state.name), targetRevisionArn: copy.serviceRevisionArn, createdAt: at, updatedAt: at, status: "PENDING" };
    Object.assign(first, { status: "STOPPED", stoppedAt: at, finishedAt: at, updatedAt: at, statusReason: "Superseded by a newer service deployment." });
    deployment.recordArn = second.serviceDeploymentArn;
    deployment.revisionArn = copy.serviceRevisionArn;
    state.records.unshift(second);
  }

  /**
   * A PAUSE hook holds the deployment at this stage: hook AWAITING_ACTION with a `hookId` (ECS's
   * `ecs-pause-…` form), `expiresAt` after timeoutConfiguration.timeoutInMinutes (default 1440) and
   * `timeoutAction` (default ROLLBACK), until ContinueServiceDeployment or the timeout.
   */
  private holdAtPause(record: ServiceDeploymentRecord, hook: Record<string, unknown>, id: string, at: number, withOthers: (detail: Record<string, unknown>) => Array<Record<string, unknown>> = (detail) => [detail]): void {
    const timeout = isJsonObject(hook["timeoutConfiguration"]) ? hook["timeoutConfiguration"] : {};
    const minutes = typeof timeout["timeoutInMinutes"] === "number" ? timeout["timeoutInMinutes"] : 1440;
    const timeoutAction = timeout["action"] === "CONTINUE" ? "CONTINUE" : "ROLLBACK";
    record.pause = { hookId: `ecs-pause-${id}`, expiresAt: at + minutes * 60, timeoutAction };
    record.hookDetails = withOthers({ hookId: record.pause.hookId, targetType: "PAUSE", status: "AWAITING_ACTION", expiresAt: record.pause.expiresAt, timeoutAction });
  }

  /** True when a held deployment moves on at this step: its PAUSE hook timed out (TIMED_OUT, then its timeout action). */
  private pauseEnds(record: ServiceDeploymentRecord, at: number): boolean {
    const pause = record.pause;
    if (pause === undefined) return true;
    if (at < pause.expiresAt) return false;
    delete record.pause;
    record.hookDetails = (record.hookDetails ?? []).map((detail) => (detail["hookId"] === pause.hookId ? { ...detail, status: "TIMED_OUT" } : detail));
    if (pause.timeoutAction === "CONTINUE") return true;
    Object.assign(record, { status: "ROLLBACK_REQUESTED", updatedAt: at, statusReason: `Lifecycle hook ${pause.hookId} timed out: rolling back (its timeout action).` });
    return false;
  }

  /**
   * ContinueServiceDeployment: CONTINUE (the default) lets a deployment held by a PAUSE hook go on at the
   * next step; ROLLBACK rolls it back as StopServiceDeployment does. The hook must be AWAITING_ACTION and
   * the deployment IN_PROGRESS (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/continue-service-deployment.html);
   * otherwise an InvalidParameterException (our wording).
   */
  continueServiceDeployment(request: JsonObject): ApiAnswer {
    const arn = stringField(request, "serviceDeploymentArn");
    const hookId = stringField(request, "hookId");
    if (arn === undefined || hookId === undefined) return invalid("serviceDeploymentArn and hookId are required.");
    const action = stringField(request, "action") ?? "CONTINUE";
    if (action !== "CONTINUE" && action !== "ROLLBACK") return invalid(`Invalid action ${action}: the valid values are CONTINUE and ROLLBACK.`);
    const found = this.findRecord(arn);
    if (found === undefined) return { error: "ServiceDeploymentNotFoundException", message: `The service deployment ${arn} does not exist.` };
    const { record } = found;
    if (record.status !== "IN_PROGRESS" || record.pause?.hookId !== hookId) return invalid(`The lifecycle hook ${hookId} is not awaiting action in an IN_PROGRESS service deployment.`);
    const at = this.seconds();
    delete record.pause;
    record.hookDetails = (record.hookDetails ?? []).map((detail) => ({ ...detail, status: "SUCCEEDED" }));
    if (action === "ROLLBACK") Object.assign(record, { status: "ROLLBACK_REQUESTED", updatedAt: at, statusReason: "Rollback requested (ContinueServiceDeployment, action ROLLBACK)." });
    return { json: { serviceDeploymentArn: arn } };
  }

  /** Why UpdateService or CreateService refuses the deploymentConfiguration's lifecycle hooks, or undefined. */
  refuseLifecycleHooks(request: JsonObject): string | undefined {
    return isJsonObject(request["deploymentConfiguration"]) ? invalidLifecycleHooks(request["deploymentConfiguration"]) : undefined;
  }

  /** The service deployment a deployment belongs to. */
  private recordOf(deployment: Deployment): ServiceDeploymentRecord | undefined {
    if (deployment.recordArn === undefined) return undefined;
    return this.findRecord(deployment.recordArn)?.record;
  }

  private findRecord(arn: string): { state: Service; record: ServiceDeploymentRecord } | undefined {
    for (const state of this.services.values()) {
      const record = state.records.find((candidate) => candidate.serviceDeploymentArn === arn);
      if (record !== undefined) return { state, record };
    }
    return undefined;
  }

  /**
   * A new service deployment (ECS's record) for `deployment`, PENDING until the next step, with a new
   * service revision for its target and the revisions of the other deployments as its sources. Older
   * service deployments still in flight are STOPPED (superseded). None for CODE_DEPLOY or EXTERNAL
   * services (they deploy through CodeDeploy or task sets).
   */
  private openRecord(state: Service, deployment: Deployment, revision: ServiceRevisionRecord, at: number, reconcile = false): ServiceDeploymentRecord | undefined {
    const type = state.deploymentController?.["type"];
    if (state.serviceArn === undefined || (type !== undefined && type !== "ECS")) return undefined;
    this.revisions.set(revision.serviceRevisionArn, revision);
    deployment.revisionArn = revision.serviceRevisionArn;
    const sources = [...new Set(state.deployments.filter((other) => other !== deployment).flatMap((other) => (other.revisionArn === undefined ? [] : [other.revisionArn])))];
    for (const older of state.records) {
      if (STOPPABLE.has(older.status)) Object.assign(older, { status: "STOPPED", stoppedAt: at, updatedAt: at, statusReason: `Superseded by a newer service deployment.` });
    }
    const config = clone(state.deploymentConfiguration);
    const record: ServiceDeploymentRecord = {
      serviceDeploymentArn: serviceDeploymentArn(state.clusterArn, state.name),
      serviceArn: state.serviceArn,
      clusterArn: state.clusterArn,
      serviceName: state.name,
      createdAt: at,
      updatedAt: at,
      sourceRevisionArns: sources,
      targetRevisionArn: revision.serviceRevisionArn,
      status: "PENDING",
      deploymentConfiguration: config,
      stepIndex: -1,
      failureCount: 0,
      deploymentId: deployment.id,
      production: 0,
      test: 0,
    };
    if (NATIVE_STRATEGIES.has(String(config["strategy"] ?? ""))) record.steps = stageSteps(config, reconcile, deployment.plan.bakeSteps ?? 2);
    deployment.recordArn = record.serviceDeploymentArn;
    state.records.unshift(record);
    // ECS keeps 90 days of service deployments.
    const cutoff = at - RECORD_RETENTION_SECONDS;
    state.records = state.records.filter((kept) => kept.createdAt >= cutoff);
    return record;
  }

  /** A service revision of the service as it is now with `deployment`'s task definition; images resolved to digests. */
  private async newRevision(state: Service, deployment: Deployment, at: number): Promise<ServiceRevisionRecord> {
    const info = await this.lookup(deployment.taskDefinition);
    const containers = info?.containers ?? (info?.images ?? []).map((image, index) => ({ name: `container-${index}`, image, essential: true }));
    const containerImages: ServiceRevisionRecord["containerImages"] = [];
    for (const container of containers) {
      const digest = await this.resolveDigest(container.image);
      containerImages.push({ containerName: container.name, image: container.image, ...(digest !== undefined ? { imageDigest: digest } : {}) });
    }
    const revision: ServiceRevisionRecord = {
      serviceRevisionArn: serviceRevisionArn(state.clusterArn, state.name),
      serviceArn: state.serviceArn ?? "",
      clusterArn: state.clusterArn,
      taskDefinition: deployment.taskDefinition,
      containerImages,
      createdAt: at,
    };
    if (state.launchType !== undefined) revision.launchType = state.launchType;
    if (state.capacityProviderStrategy !== undefined) revision.capacityProviderStrategy = clone(state.capacityProviderStrategy);
    if (deployment.networkConfiguration !== undefined) revision.networkConfiguration = clone(deployment.networkConfiguration);
    return revision;
  }

  /**
   * The digest ECS resolves an image to (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html,
   * "container image resolution"): an image pinned by digest is that digest; an ECR image of the emulated
   * account is ECR's digest (none when missing); any other registry, unreachable here, gets a stable
   * made-up digest derived from the reference.
   */
  private async resolveDigest(image: string): Promise<string | undefined> {
    const pinned = /@(sha256:[0-9a-f]{64})$/.exec(image)?.[1];
    if (pinned !== undefined) return pinned;
    const found = await this.digestLookup(image);
    if (found !== undefined) return found;
    if ((await this.imageCheck(image)) === false) return undefined;
    return `sha256:${createHash("sha256").update(image).digest("hex")}`;
  }

  /** Running, pending and requested tasks of a revision, from the deployments that run it. */
  private revisionCounts(state: Service): RevisionCounts {
    return (arn) => {
      const of = state.deployments.filter((deployment) => deployment.revisionArn === arn);
      return {
        requested: of.reduce((sum, deployment) => sum + (deployment.rolloutState === "FAILED" ? 0 : deployment.desiredCount), 0),
        running: of.reduce((sum, deployment) => sum + deployment.runningCount, 0),
        pending: of.reduce((sum, deployment) => sum + deployment.pendingCount, 0),
      };
    };
  }

  // ------------------------------------------------------ service deployments

  /**
   * ListServiceDeployments: the service's deployments filtered by `status` and `createdAt` ({after,
   * before}, epoch seconds), `maxResults` 1–100 (default 20) a page. The API reference documents no
   * order for the results (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServiceDeployments.html,
   * and its CreatedAt filter, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreatedAt.html),
   * so the emulator answers oldest first: a caller that takes the first page for the newest is caught.
   * The CreatedAt page says "created after" / "created before" without saying whether a deployment
   * created at the bound itself is included: the emulator includes it (callers keep a margin).
   */
  listServiceDeployments(request: JsonObject): ApiAnswer {
    const serviceRef = stringField(request, "service");
    if (serviceRef === undefined) return invalid("service is required.");
    const state = this.findService(stringField(request, "cluster") ?? "default", serviceRef);
    if (state === undefined) return { error: "ServiceNotFoundException", message: "Service not found." };
    const maxResults = request["maxResults"];
    if (maxResults !== undefined && (typeof maxResults !== "number" || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100)) return invalid("maxResults must be between 1 and 100.");
    const statuses = Array.isArray(request["status"]) ? request["status"].filter((status): status is string => typeof status === "string") : undefined;
    const created = isJsonObject(request["createdAt"]) ? request["createdAt"] : {};
    const after = numberField(created, "after");
    const before = numberField(created, "before");
    const cutoff = this.seconds() - RECORD_RETENTION_SECONDS;
    const matching = [...state.records].reverse().filter(
      (record) => record.createdAt >= cutoff && (statuses === undefined || statuses.length === 0 || statuses.includes(record.status)) && (after === undefined || record.createdAt >= after) && (before === undefined || record.createdAt <= before),
    );
    const offset = typeof request["nextToken"] === "string" ? Number(Buffer.from(request["nextToken"], "base64").toString("utf8")) || 0 : 0;
    const size = typeof maxResults === "number" ? maxResults : 20;
    const page = matching.slice(offset, offset + size);
    const out: JsonObject = { serviceDeployments: page.map(renderBrief) };
    if (offset + size < matching.length) out["nextToken"] = Buffer.from(String(offset + size)).toString("base64");
    return { json: out };
  }

  /** DescribeServiceDeployments: up to 20 ARNs; unknown ones are failures with reason MISSING. */
  describeServiceDeployments(request: JsonObject): ApiAnswer {
    const arns = Array.isArray(request["serviceDeploymentArns"]) ? request["serviceDeploymentArns"].filter((arn): arn is string => typeof arn === "string") : [];
    if (arns.length === 0) return invalid("serviceDeploymentArns must not be empty.");
    if (arns.length > 20) return invalid("serviceDeploymentArns can have at most 20 items.");
    const serviceDeployments: JsonObject[] = [];
    const failures: JsonObject[] = [];
    for (const arn of arns) {
      const found = this.findRecord(arn);
      if (found === undefined) failures.push({ arn, reason: "MISSING" });
      else serviceDeployments.push(renderServiceDeployment(found.record, this.revisionCounts(found.state)));
    }
    return { json: { serviceDeployments, failures } };
  }

  /** DescribeServiceRevisions: up to 20 ARNs; unknown ones are failures with reason MISSING. */
  describeServiceRevisions(request: JsonObject): ApiAnswer {
    const arns = Array.isArray(request["serviceRevisionArns"]) ? request["serviceRevisionArns"].filter((arn): arn is string => typeof arn === "string") : [];
    if (arns.length === 0) return invalid("serviceRevisionArns must not be empty.");
    if (arns.length > 20) return invalid("serviceRevisionArns can have at most 20 items.");
    const serviceRevisions: JsonObject[] = [];
    const failures: JsonObject[] = [];
    for (const arn of arns) {
      const revision = this.revisions.get(arn);
      if (revision === undefined) failures.push({ arn, reason: "MISSING" });
      else serviceRevisions.push(renderRevision(revision));
    }
    return { json: { serviceRevisions, failures } };
  }

  /**
   * StopServiceDeployment: stopType ROLLBACK (the default; ABORT is refused: "The valid values are
   * ROLLBACK"). PENDING or IN_PROGRESS → ROLLBACK_REQUESTED, and the next DescribeServices of the service
   * starts the rollback; STOP_REQUESTED and ROLLBACK_* go on as they are; a finished deployment is a
   * ConflictException.
   */
  stopServiceDeployment(request: JsonObject): ApiAnswer {
    const arn = stringField(request, "serviceDeploymentArn");
    if (arn === undefined) return invalid("serviceDeploymentArn is required.");
    const stopType = stringField(request, "stopType") ?? "ROLLBACK";
    if (stopType !== "ROLLBACK") return invalid(`stopType ${stopType} is not supported. The valid values are ROLLBACK.`);
    const found = this.findRecord(arn);
    if (found === undefined) return { error: "ServiceDeploymentNotFoundException", message: `The service deployment ${arn} does not exist.` };
    const { record } = found;
    if (!STOPPABLE.has(record.status)) return { error: "ConflictException", message: `The service deployment is ${record.status} and cannot be stopped.` };
    if (record.status === "PENDING" || record.status === "IN_PROGRESS") {
      const at = this.seconds();
      Object.assign(record, { status: "ROLLBACK_REQUESTED", updatedAt: at, statusReason: "Rollback requested (StopServiceDeployment)." });
    }
    return { json: { serviceDeploymentArn: arn } };
  }

  private addEvent(state: Service, message: string, at: number): void {
    state.events.unshift({ id: randomUUID(), createdAt: at, message });
    if (state.events.length > MAX_EVENTS) state.events.length = MAX_EVENTS;
  }

  private render(state: Service, service: JsonObject): JsonObject {
    const deployments = state.deployments.map((deployment) => {
      const rendered: JsonObject = {
        id: deployment.id,
        status: deployment.status,
        taskDefinition: deployment.taskDefinition,
        desiredCount: deployment.desiredCount,
        pendingCount: deployment.pendingCount,
        runningCount: deployment.runningCount,
        failedTasks: deployment.failedTasks,
        createdAt: deployment.createdAt,
        updatedAt: deployment.updatedAt,
        rolloutState: deployment.rolloutState,
        rolloutStateReason: deployment.rolloutStateReason,
      };
      if (state.launchType !== undefined) rendered["launchType"] = state.launchType;
      if (state.capacityProviderStrategy !== undefined) rendered["capacityProviderStrategy"] = clone(state.capacityProviderStrategy);
      if (deployment.networkConfiguration !== undefined) rendered["networkConfiguration"] = clone(deployment.networkConfiguration);
      return rendered;
    });
    const { launchType: motoLaunchType, ...rest } = service;
    return {
      ...rest,
      ...(state.capacityProviderStrategy === undefined ? { launchType: motoLaunchType } : { capacityProviderStrategy: clone(state.capacityProviderStrategy) }),
      taskDefinition: state.taskDefinition,
      desiredCount: state.desiredCount,
      runningCount: state.deployments.reduce((sum, deployment) => sum + deployment.runningCount, 0),
      pendingCount: state.deployments.reduce((sum, deployment) => sum + deployment.pendingCount, 0),
      deploymentConfiguration: clone(state.deploymentConfiguration),
      ...(state.deploymentController === undefined ? {} : { deploymentController: clone(state.deploymentController) }),
      ...(state.networkConfiguration === undefined ? {} : { networkConfiguration: clone(state.networkConfiguration) }),
      deployments,
      events: state.events.map((event) => ({ ...event })),
      ...this.renderCurrent(state),
    };
  }

  /** currentServiceDeployment (the PRIMARY deployment's service deployment) and currentServiceRevisions. */
  private renderCurrent(state: Service): JsonObject {
    const primary = state.deployments.find((deployment) => deployment.status === "PRIMARY");
    const counts = this.revisionCounts(state);
    const revisions = [...new Set(state.deployments.flatMap((deployment) => (deployment.revisionArn === undefined ? [] : [deployment.revisionArn])))];
    const out: JsonObject = {};
    if (primary?.recordArn !== undefined) out["currentServiceDeployment"] = state.lagCurrent?.arn ?? primary.recordArn;
    if (revisions.length > 0) {
      out["currentServiceRevisions"] = revisions.map((arn) => {
        const c = counts(arn);
        return { arn, requestedTaskCount: c.requested, runningTaskCount: c.running, pendingTaskCount: c.pending };
      });
    }
    return out;
  }

  // ------------------------------------------------------------------- tasks

  /** The newest rule matching `images` that has `field` set. */
  private ruleWith<K extends keyof SimRule>(images: readonly string[], field: K): SimRule | undefined {
    for (let index = this.rules.length - 1; index >= 0; index -= 1) {
      const rule = this.rules[index];
      if (rule !== undefined && rule[field] !== undefined && images.some((image) => image.includes(rule.match))) return rule;
    }
    return undefined;
  }

  /** RegisterTaskDefinition answered by moto: a matching `unknownRevisionReads` rule hides the new revision for a few reads. */
  async noteRegistration(answer: unknown, tagNames: (image: string) => Promise<string[]> = async () => []): Promise<void> {
    const definition = isJsonObject(answer) ? answer["taskDefinition"] : undefined;
    if (!isJsonObject(definition)) return;
    const family = stringField(definition, "family");
    const revision = numberField(definition, "revision");
    const containers = Array.isArray(definition["containerDefinitions"]) ? definition["containerDefinitions"] : [];
    const images = containers.filter(isJsonObject).flatMap((container) => (typeof container["image"] === "string" ? [container["image"]] : []));
    // A digest-pinned image matches by its tags too (as planFor does).
    const named = [...images, ...(await Promise.all(images.map(tagNames))).flat()];
    const rule = this.ruleWith(named, "unknownRevisionReads");
    if (family !== undefined && revision !== undefined && rule?.unknownRevisionReads) this.unseenRevisions.set(`${family}:${revision}`, rule.unknownRevisionReads);
  }

  /**
   * True when a service or a task that has not stopped references the revision `arn` (always, unless
   * ConsistencySettings.inactiveNeedsReference is on) (its
   * `family:revision` compared): ECS describes an INACTIVE revision only then ("You can only describe
   * INACTIVE task definitions while an active task or service references them",
   * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTaskDefinition.html).
   * Assumptions (undocumented): a service references every revision one of its deployments (PRIMARY or
   * ACTIVE) runs; a deleted service references none; a task references its revision until it is STOPPED.
   */
  referencesTaskDefinition(arn: string): boolean {
    if (!this.consistency.inactiveNeedsReference) return true;
    const key = revisionKey(arn);
    for (const state of this.services.values()) {
      if (revisionKey(state.taskDefinition) === key || state.deployments.some((deployment) => revisionKey(deployment.taskDefinition) === key)) return true;
    }
    for (const task of this.tasks.values()) {
      if (task.stopped === undefined && revisionKey(stringField(task.request, "taskDefinition") ?? "") === key) return true;
    }
    return false;
  }

  /** True (and one read fewer) when `reference` names a revision ECS does not show yet: answer ClientException. */
  takeUnseenRead(reference: string | undefined): boolean {
    const key = (reference ?? "").replace(/^arn:aws[\w-]*:ecs:[\w-]+:\d{12}:task-definition\//, "");
    const left = this.unseenRevisions.get(key);
    if (left === undefined || left <= 0) return false;
    if (left === 1) this.unseenRevisions.delete(key);
    else this.unseenRevisions.set(key, left - 1);
    return true;
  }

  /** A `runTaskFailure` rule for the task definition RunTask names: the failure to answer instead of a task. */
  async runTaskFailure(request: JsonObject): Promise<string | undefined> {
    const info = await this.lookup(stringField(request, "taskDefinition") ?? "");
    return this.ruleWith([...(info?.images ?? []), ...(info?.tagNames ?? [])], "runTaskFailure")?.runTaskFailure;
  }

  /** RunTask answered by moto: track each task and show it PROVISIONING as asked for. */
  async runTasks(request: JsonObject, tasks: unknown[]): Promise<unknown[]> {
    const out: unknown[] = [];
    for (const task of tasks) {
      if (!isJsonObject(task)) {
        out.push(task);
        continue;
      }
      const taskArn = stringField(task, "taskArn");
      if (taskArn === undefined) {
        out.push(task);
        continue;
      }
      const info = await this.lookup(stringField(task, "taskDefinitionArn") ?? stringField(request, "taskDefinition") ?? "");
      const containerArns = new Map<string, string>();
      const prefix = taskArn.replace(":task/", ":container/");
      for (const container of Array.isArray(task["containers"]) ? task["containers"] : []) {
        if (isJsonObject(container)) containerArns.set(stringField(container, "name") ?? "", `${prefix}/${randomUUID()}`);
      }
      const plan = this.planFor([...(info?.images ?? []), ...(info?.tagNames ?? [])]);
      // awslogs without its log group: the task is placed, then fails to start (task-logs.ts).
      const noGroup = await missingLogGroup(this.logs, info?.containers ?? []);
      if (noGroup !== undefined) Object.assign(plan, { outcome: "complete", steps: 1, stopCode: "TaskFailedToStart", stoppedReason: MISSING_LOG_GROUP_REASON, missingLogGroup: noGroup } satisfies Partial<Plan>);
      const state: Task = {
        taskArn,
        request: clone(request),
        plan,
        describeCount: 0,
        createdAt: this.seconds(),
        containerArns,
        eniId: `eni-${randomBytes(8).toString("hex").slice(0, 17)}`,
        ...(info?.containers ? { definitionContainers: info.containers } : {}),
        linesWritten: 0,
      };
      if (noGroup === undefined) this.queueLines(taskArn, info?.containers ?? [], (container) => [startLine(container.name, commandOverride(request, container.name))]);
      for (const container of info?.containers ?? []) if (!containerArns.has(container.name)) containerArns.set(container.name, `${prefix}/${randomUUID()}`);
      this.tasks.set(taskArn, state);
      out.push(this.renderTask(state, task));
    }
    return out;
  }

  /**
   * DescribeTasks answered by moto: advance each known task one step and overlay it. Returns the
   * ARNs of tasks that stopped in this step so the caller can stop them in moto too.
   */
  describeTasks(tasks: unknown[]): { tasks: unknown[]; stopped: string[] } {
    const stopped: string[] = [];
    const at = this.seconds();
    const out = tasks.map((task) => {
      const state = isJsonObject(task) ? this.tasks.get(stringField(task, "taskArn") ?? "") : undefined;
      if (state === undefined || !isJsonObject(task)) return task;
      if (state.stopped === undefined) {
        state.describeCount += 1;
        state.startedAt ??= at;
        if (state.plan.outcome !== "stuck" && state.describeCount >= state.plan.steps) {
          const stopCode = state.plan.stopCode ?? "EssentialContainerExited";
          state.stopped = {
            at,
            reason: state.plan.stoppedReason ?? STOPPED_REASONS[stopCode] ?? "Task stopped",
            stopCode,
            // A task that failed to start has containers that never ran to an exit code.
            exitCode: stopCode === "TaskFailedToStart" ? undefined : state.plan.exitCode,
            ...(state.plan.containerExitCodes && stopCode !== "TaskFailedToStart" ? { exitCodes: state.plan.containerExitCodes } : {}),
          };
          stopped.push(state.taskArn);
        }
        this.queueTaskLines(state);
      }
      return this.renderTask(state, task);
    });
    return { tasks: out, stopped };
  }

  /** A one-off task's lines for this step: the next progress line, and when it stopped the rest and its end. */
  private queueTaskLines(state: Task): void {
    if (state.plan.missingLogGroup !== undefined) return;
    const { plan } = state;
    const lines: string[] = [];
    if (plan.logLines !== undefined) {
      const upTo = state.stopped === undefined ? Math.min(plan.logLines.length, state.describeCount) : plan.logLines.length;
      lines.push(...plan.logLines.slice(state.linesWritten, upTo));
      state.linesWritten = Math.max(state.linesWritten, upTo);
    } else if (state.stopped === undefined || state.stopped.exitCode !== undefined) {
      lines.push(progressLine(state.describeCount, plan.steps));
    }
    const stopped = state.stopped;
    this.queueLines(state.taskArn, state.definitionContainers ?? [], (container) => [
      ...lines,
      ...(stopped === undefined ? [] : endLines(container.image ?? "", stopped.exitCodes?.[container.name] ?? stopped.exitCode)),
    ]);
  }

  /** StopTask answered by moto: the task is STOPPED at once. */
  stopTask(request: JsonObject, task: unknown): unknown {
    const state = isJsonObject(task) ? this.tasks.get(stringField(task, "taskArn") ?? "") : undefined;
    if (state === undefined || !isJsonObject(task)) return task;
    state.stopped ??= {
      at: this.seconds(),
      reason: stringField(request, "reason") ?? "Task stopped by user",
      stopCode: "UserInitiated",
      exitCode: 143,
    };
    return this.renderTask(state, task);
  }

  private renderTask(state: Task, task: JsonObject): JsonObject {
    const lastStatus = state.stopped !== undefined ? "STOPPED" : state.describeCount === 0 ? "PROVISIONING" : "RUNNING";
    const containerStatus = lastStatus === "PROVISIONING" ? "PENDING" : lastStatus;
    const rendered: JsonObject = {
      ...task,
      lastStatus,
      desiredStatus: state.stopped !== undefined ? "STOPPED" : "RUNNING",
      createdAt: state.createdAt,
      overrides: isJsonObject(state.request["overrides"]) ? clone(state.request["overrides"]) : { containerOverrides: [] },
    };
    delete rendered["stoppedReason"];
    delete rendered["launchType"];
    const strategy = state.request["capacityProviderStrategy"];
    const firstProvider = Array.isArray(strategy) && isJsonObject(strategy[0]) ? stringField(strategy[0], "capacityProvider") : undefined;
    if (firstProvider !== undefined) rendered["capacityProviderName"] = firstProvider;
    else rendered["launchType"] = stringField(state.request, "launchType") ?? "EC2";
    for (const key of ["group", "startedBy"] as const) {
      const value = stringField(state.request, key);
      if (value !== undefined) rendered[key] = value;
    }
    if (state.startedAt !== undefined) rendered["startedAt"] = state.startedAt;
    if (state.stopped !== undefined) {
      rendered["stoppedReason"] = state.stopped.reason;
      rendered["stopCode"] = state.stopped.stopCode;
      rendered["stoppingAt"] = state.stopped.at;
      rendered["stoppedAt"] = state.stopped.at;
      rendered["executionStoppedAt"] = state.stopped.at;
    }
    const listed = (Array.isArray(task["containers"]) ? task["containers"] : []).filter(isJsonObject);
    const names = new Set(listed.map((container) => stringField(container, "name")));
    const missing = (state.definitionContainers ?? []).filter((container) => !names.has(container.name)).map((container) => ({ name: container.name, ...(container.image ? { image: container.image } : {}) }));
    const containers: JsonObject[] = [...listed, ...missing];
    rendered["containers"] = containers.map((container) => {
      const name = stringField(container, "name") ?? "";
      const out: JsonObject = {
        containerArn: state.containerArns.get(name) ?? `${state.taskArn}/${name}`,
        taskArn: state.taskArn,
        name,
        lastStatus: containerStatus,
        networkInterfaces: [],
        healthStatus: "UNKNOWN",
      };
      for (const key of ["image", "cpu", "memory"] as const) {
        if (container[key] !== undefined) out[key] = container[key];
      }
      const exitCode = state.stopped?.exitCodes?.[name] ?? state.stopped?.exitCode;
      if (state.stopped !== undefined && exitCode !== undefined) out["exitCode"] = exitCode;
      return out;
    });
    rendered["attachments"] = this.renderAttachments(state, lastStatus);
    return rendered;
  }

  private renderAttachments(state: Task, lastStatus: string): JsonObject[] {
    const network = state.request["networkConfiguration"];
    const vpc = isJsonObject(network) ? network["awsvpcConfiguration"] : undefined;
    if (!isJsonObject(vpc)) return [];
    const subnets = Array.isArray(vpc["subnets"]) ? vpc["subnets"].filter((subnet) => typeof subnet === "string") : [];
    const status = lastStatus === "PROVISIONING" ? "PRECREATED" : lastStatus === "STOPPED" ? "DELETED" : "ATTACHED";
    return [
      {
        id: randomUUID(),
        type: "ElasticNetworkInterface",
        status,
        details: [
          { name: "subnetId", value: subnets[0] ?? "" },
          { name: "networkInterfaceId", value: state.eniId },
          { name: "privateIPv4Address", value: "10.0.0.10" },
        ],
      },
    ];
  }
}

/** ECS keeps service deployments for 90 days (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/view-service-deployment.html). */
const RECORD_RETENTION_SECONDS = 90 * 24 * 3600;

/** The answer of an API the simulation answers itself: JSON, or an ECS error (HTTP 400). */
export type ApiAnswer = { json: JsonObject; error?: undefined; message?: undefined } | { error: string; message: string; json?: undefined };

function invalid(message: string): ApiAnswer {
  return { error: "InvalidParameterException", message };
}

/** True when a cluster reference (name or ARN) names the cluster with this ARN. */
function sameCluster(clusterArn: string, reference: string): boolean {
  return clusterArn === reference || clusterArn.endsWith(`:cluster/${reference}`);
}

function serviceKey(service: JsonObject): string | undefined {
  const cluster = stringField(service, "clusterArn");
  const name = stringField(service, "serviceName");
  return cluster === undefined || name === undefined ? undefined : `${cluster}|${name}`;
}

function withDefaultDeploymentConfiguration(config: JsonObject): JsonObject {
  return {
    deploymentCircuitBreaker: { enable: false, rollback: false },
    maximumPercent: 200,
    minimumHealthyPercent: 100,
    ...clone(config),
  };
}

function fakeTaskIds(count: number): string {
  return Array.from({ length: Math.min(count, 10) }, () => `(task ${randomBytes(16).toString("hex")})`).join(" ");
}

function startedMessage(service: string, count: number): string {
  return `(service ${service}) has started ${count} tasks: ${fakeTaskIds(count)}.`;
}

function stoppedMessage(service: string, count: number): string {
  return `(service ${service}) has stopped ${count} running tasks: ${fakeTaskIds(count)}.`;
}
