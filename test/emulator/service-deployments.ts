/**
 * ECS's native deployment strategies and its service deployment record, for the simulation
 * (ecs-simulation.ts): the lifecycle stages a BLUE_GREEN, LINEAR or CANARY deployment walks through,
 * with traffic shares and bake steps, and the ServiceDeployment / ServiceRevision shapes that
 * ListServiceDeployments, DescribeServiceDeployments and DescribeServiceRevisions answer with.
 *
 * Sources (field names and enums checked against the pinned @aws-sdk/client-ecs types):
 * - Lifecycle stages: https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/ecs/aws.sdk.kotlin.services.ecs.model/-service-deployment/lifecycle-stage.html
 *   (RECONCILE_SERVICE only when more than one service revision is ACTIVE at the start; green scales up
 *   to 100 % in SCALE_UP before any traffic; test traffic, then production traffic; BAKE_TIME with both
 *   revisions running; CLEAN_UP stops blue).
 * - Workflow: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-how-it-works.html
 * - Canary: https://docs.amazonaws.cn/en_us/AmazonECS/latest/developerguide/canary-deployment.html
 *   (canary percentage first, then all remaining traffic at once).
 * - Lifecycle hooks: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/lambda-lifecycle-hooks.md
 *   (hookStatus FAILED, or no valid hookStatus: "Amazon ECS rolls back the deployment").
 * - Service deployment states: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment.html
 *   (PENDING; IN_PROGRESS, STOP_REQUESTED, ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS; SUCCESSFUL, STOPPED,
 *   ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED); 90 days of history:
 *   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/view-service-deployment.html
 * - StopServiceDeployment: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stop-service-deployment.md
 *   (PENDING or IN_PROGRESS → ROLLBACK_REQUESTED, then the rollback; STOP_REQUESTED / ROLLBACK_* go on);
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopServiceDeployment.html ("The valid
 *   values are ROLLBACK").
 * - Lifecycle hook stages (DeploymentLifecycleHook.lifecycleStages, the SDK's DeploymentLifecycleHookStage):
 *   RECONCILE_SERVICE, PRE_SCALE_UP, POST_SCALE_UP, TEST_TRAFFIC_SHIFT, POST_TEST_TRAFFIC_SHIFT,
 *   PRE_PRODUCTION_TRAFFIC_SHIFT ("for linear and canary deployments, this stage is invoked before every
 *   traffic shift step"), PRODUCTION_TRAFFIC_SHIFT, POST_PRODUCTION_TRAFFIC_SHIFT; "PAUSE hooks cannot be
 *   configured at TEST_TRAFFIC_SHIFT or PRODUCTION_TRAFFIC_SHIFT stages"
 *   (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentLifecycleHook.html).
 *   PRE_PRODUCTION_TRAFFIC_SHIFT is not in the record's ServiceDeploymentLifecycleStage enum: the
 *   emulator shows it as the record's stage while a hook runs there (our simplification).
 * - PAUSE hooks: the deployment waits with the hook AWAITING_ACTION (hookId, expiresAt, timeoutAction)
 *   until ContinueServiceDeployment with CONTINUE or ROLLBACK, or until the hook's timeout
 *   (timeoutConfiguration: default 1440 minutes, then ROLLBACK), the hook then TIMED_OUT
 *   (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/pause-lifecycle-hooks.html,
 *   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/continue-service-deployment.html: "The
 *   pause hook must be in AWAITING_ACTION status", "The deployment must be in the IN_PROGRESS state").
 * - ListServiceDeployments pages 20 by default, 1–100 with maxResults:
 *   https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/ecs/aws.sdk.kotlin.services.ecs.model/-list-service-deployments-request/max-results.html
 */
import { randomBytes } from "node:crypto";

/** The strategies that shift traffic between two revisions (the others roll). */
export const NATIVE_STRATEGIES: ReadonlySet<string> = new Set(["BLUE_GREEN", "LINEAR", "CANARY"]);

/** ECS's ServiceDeploymentLifecycleStage values (the SDK's enum). */
export const LIFECYCLE_STAGES = [
  "RECONCILE_SERVICE",
  "PRE_SCALE_UP",
  "SCALE_UP",
  "POST_SCALE_UP",
  "TEST_TRAFFIC_SHIFT",
  "POST_TEST_TRAFFIC_SHIFT",
  "PRODUCTION_TRAFFIC_SHIFT",
  "POST_PRODUCTION_TRAFFIC_SHIFT",
  "BAKE_TIME",
  "CLEAN_UP",
] as const;

/** One lifecycle stage (the record's, plus the hook-only PRE_PRODUCTION_TRAFFIC_SHIFT). */
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number] | "PRE_PRODUCTION_TRAFFIC_SHIFT";

/** The stages a lifecycle hook may name (DeploymentLifecycleHookStage). */
export const HOOK_STAGES: ReadonlySet<string> = new Set([
  "RECONCILE_SERVICE",
  "PRE_SCALE_UP",
  "POST_SCALE_UP",
  "TEST_TRAFFIC_SHIFT",
  "POST_TEST_TRAFFIC_SHIFT",
  "PRE_PRODUCTION_TRAFFIC_SHIFT",
  "PRODUCTION_TRAFFIC_SHIFT",
  "POST_PRODUCTION_TRAFFIC_SHIFT",
]);

/** Stages a PAUSE hook may not name. */
const NO_PAUSE_STAGES: ReadonlySet<string> = new Set(["TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT"]);

/** Why deploymentConfiguration.lifecycleHooks is refused (InvalidParameterException), or undefined. Our wording. */
export function invalidLifecycleHooks(config: Record<string, unknown>): string | undefined {
  const hooks = Array.isArray(config["lifecycleHooks"]) ? config["lifecycleHooks"] : [];
  for (const hook of hooks) {
    if (typeof hook !== "object" || hook === null) return "lifecycleHooks must be objects.";
    const h = hook as Record<string, unknown>;
    const type = typeof h["targetType"] === "string" ? h["targetType"] : "AWS_LAMBDA";
    if (type !== "AWS_LAMBDA" && type !== "PAUSE") return `Invalid lifecycle hook targetType: ${String(type)}.`;
    const stages = Array.isArray(h["lifecycleStages"]) ? h["lifecycleStages"] : [];
    if (stages.length === 0) return "A lifecycle hook must name at least one lifecycle stage.";
    const bad = stages.find((stage) => typeof stage !== "string" || !HOOK_STAGES.has(stage));
    if (bad !== undefined) return `Invalid lifecycle stage for a lifecycle hook: ${String(bad)}.`;
    const noPause = stages.find((stage) => type === "PAUSE" && NO_PAUSE_STAGES.has(String(stage)));
    if (noPause !== undefined) return `PAUSE hooks cannot be configured at the ${String(noPause)} stage.`;
    if (type === "AWS_LAMBDA" && typeof h["hookTargetArn"] !== "string") return "hookTargetArn is required for an AWS_LAMBDA lifecycle hook.";
  }
  return undefined;
}

/** ECS's ServiceDeploymentStatus values. */
export type ServiceDeploymentStatus =
  | "PENDING"
  | "IN_PROGRESS"
  | "SUCCESSFUL"
  | "STOPPED"
  | "STOP_REQUESTED"
  | "ROLLBACK_REQUESTED"
  | "ROLLBACK_IN_PROGRESS"
  | "ROLLBACK_SUCCESSFUL"
  | "ROLLBACK_FAILED";

/** Statuses StopServiceDeployment accepts (the developer guide's list). */
export const STOPPABLE: ReadonlySet<ServiceDeploymentStatus> = new Set(["PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"]);

/** One step of a native deployment: the stage and the green (target) revision's traffic shares. */
export interface StageStep {
  stage: LifecycleStage;
  /** Production traffic on the target revision, percent. */
  production: number;
  /** Test traffic on the target revision, percent. */
  test: number;
}

/**
 * The steps of a native deployment, one per DescribeServices: BLUE_GREEN shifts all production traffic
 * at once; LINEAR in `stepPercent` steps (default 10); CANARY `canaryPercent` (default 5) first, then the
 * rest. `bakeSteps` BAKE_TIME steps follow, then CLEAN_UP (where the deployment completes).
 */
export function stageSteps(config: Record<string, unknown>, reconcile: boolean, bakeSteps: number): StageStep[] {
  const strategy = String(config["strategy"] ?? "ROLLING");
  const steps: StageStep[] = [];
  const add = (stage: LifecycleStage, production: number, test: number): void => {
    steps.push({ stage, production, test });
  };
  if (reconcile) add("RECONCILE_SERVICE", 0, 0);
  add("PRE_SCALE_UP", 0, 0);
  add("SCALE_UP", 0, 0);
  add("POST_SCALE_UP", 0, 0);
  add("TEST_TRAFFIC_SHIFT", 0, 100);
  add("POST_TEST_TRAFFIC_SHIFT", 0, 100);
  const shares: number[] = [];
  // A hook at PRE_PRODUCTION_TRAFFIC_SHIFT runs before every production traffic step.
  const preShift = hooksFor(config, "PRE_PRODUCTION_TRAFFIC_SHIFT").length > 0;
  if (strategy === "LINEAR") {
    const linear = config["linearConfiguration"];
    const raw = typeof linear === "object" && linear !== null ? (linear as Record<string, unknown>)["stepPercent"] : undefined;
    const step = typeof raw === "number" && raw > 0 ? raw : 10;
    for (let share = step; share < 100; share += step) shares.push(Math.round(share * 10) / 10);
    shares.push(100);
  } else if (strategy === "CANARY") {
    const canary = config["canaryConfiguration"];
    const raw = typeof canary === "object" && canary !== null ? (canary as Record<string, unknown>)["canaryPercent"] : undefined;
    shares.push(typeof raw === "number" && raw > 0 && raw < 100 ? raw : 5, 100);
  } else shares.push(100);
  for (const share of shares) {
    if (preShift) add("PRE_PRODUCTION_TRAFFIC_SHIFT", steps[steps.length - 1]?.production ?? 0, 100);
    add("PRODUCTION_TRAFFIC_SHIFT", share, 100);
  }
  add("POST_PRODUCTION_TRAFFIC_SHIFT", 100, 100);
  for (let index = 0; index < bakeSteps; index += 1) add("BAKE_TIME", 100, 100);
  add("CLEAN_UP", 100, 100);
  return steps;
}

/**
 * The hooks configured for `stage` in deploymentConfiguration.lifecycleHooks, in configuration order.
 * ECS runs every one: "You can configure both Lambda hooks and pause hooks at the same lifecycle stage.
 * Both hooks must complete before the deployment proceeds to the next stage"
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-lifecycle-hooks.html). The
 * order they run in is undocumented: the simulation starts them together (our assumption).
 */
export function hooksFor(config: Record<string, unknown>, stage: string): Array<Record<string, unknown>> {
  const hooks: unknown[] = Array.isArray(config["lifecycleHooks"]) ? config["lifecycleHooks"] : [];
  return hooks.filter(
    (hook): hook is Record<string, unknown> => typeof hook === "object" && hook !== null && Array.isArray((hook as Record<string, unknown>)["lifecycleStages"]) && ((hook as Record<string, unknown>)["lifecycleStages"] as unknown[]).includes(stage),
  );
}

/** Parts of an ECS ARN's prefix (`arn:aws:ecs:REGION:ACCOUNT`), from a cluster ARN. */
function arnPrefix(clusterArn: string): string {
  const parts = clusterArn.split(":");
  return parts.slice(0, 5).join(":");
}

function clusterNameOf(clusterArn: string): string {
  return clusterArn.slice(clusterArn.lastIndexOf("/") + 1);
}

/** A new service deployment ARN: `arn:aws:ecs:REGION:ACCOUNT:service-deployment/CLUSTER/SERVICE/ID` (as in ECS's StopServiceDeployment example). */
export function serviceDeploymentArn(clusterArn: string, service: string): string {
  const id = randomBytes(16).toString("base64url").slice(0, 22);
  return `${arnPrefix(clusterArn)}:service-deployment/${clusterNameOf(clusterArn)}/${service}/${id}`;
}

/** A new service revision ARN: `arn:aws:ecs:REGION:ACCOUNT:service-revision/CLUSTER/SERVICE/NUMBER`. */
export function serviceRevisionArn(clusterArn: string, service: string): string {
  let digits = String(1 + ((randomBytes(1)[0] ?? 0) % 9));
  while (digits.length < 19) digits += String((randomBytes(1)[0] ?? 0) % 10);
  return `${arnPrefix(clusterArn)}:service-revision/${clusterNameOf(clusterArn)}/${service}/${digits}`;
}

/** A service revision as DescribeServiceRevisions shows it. */
export interface ServiceRevisionRecord {
  serviceRevisionArn: string;
  serviceArn: string;
  clusterArn: string;
  taskDefinition: string;
  launchType?: string;
  capacityProviderStrategy?: unknown[];
  networkConfiguration?: unknown;
  /** The images ECS resolved to digests when it created the revision. */
  containerImages: Array<{ containerName: string; image: string; imageDigest?: string }>;
  createdAt: number;
}

/** One service deployment: what ListServiceDeployments and DescribeServiceDeployments show. */
export interface ServiceDeploymentRecord {
  serviceDeploymentArn: string;
  serviceArn: string;
  clusterArn: string;
  serviceName: string;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  stoppedAt?: number;
  updatedAt: number;
  /** Revisions running when it started. */
  sourceRevisionArns: string[];
  targetRevisionArn: string;
  status: ServiceDeploymentStatus;
  statusReason?: string;
  deploymentConfiguration: Record<string, unknown>;
  /** Native strategies: the steps and where it is. */
  steps?: StageStep[];
  stepIndex: number;
  /** Hooks of the current stage, as lifecycleHookDetails. */
  hookDetails?: Array<Record<string, unknown>>;
  /** A PAUSE hook holding the deployment (AWAITING_ACTION): its id, when it times out (epoch seconds) and then what. */
  pause?: { hookId: string; expiresAt: number; timeoutAction: "CONTINUE" | "ROLLBACK" };
  rollback?: { reason: string; startedAt: number; serviceRevisionArn: string };
  failureCount: number;
  /** The ecs-svc deployment of the target revision. */
  deploymentId: string;
  /** Production / test traffic on the target revision (native strategies), percent. */
  production: number;
  test: number;
}

/** The revision counts the record shows, by revision ARN (from the ecs-svc deployments). */
export type RevisionCounts = (revisionArn: string) => { requested: number; running: number; pending: number };

function summary(arn: string, counts: RevisionCounts, weights?: { production: number; test: number }): Record<string, unknown> {
  const c = counts(arn);
  return {
    arn,
    requestedTaskCount: c.requested,
    runningTaskCount: c.running,
    pendingTaskCount: c.pending,
    ...(weights === undefined ? {} : { requestedProductionTrafficWeight: weights.production, requestedTestTrafficWeight: weights.test }),
  };
}

/** The record in DescribeServiceDeployments' ServiceDeployment shape. */
export function renderServiceDeployment(record: ServiceDeploymentRecord, counts: RevisionCounts): Record<string, unknown> {
  const native = record.steps !== undefined;
  const out: Record<string, unknown> = {
    serviceDeploymentArn: record.serviceDeploymentArn,
    serviceArn: record.serviceArn,
    clusterArn: record.clusterArn,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    sourceServiceRevisions: record.sourceRevisionArns.map((arn) => summary(arn, counts, native ? { production: 100 - record.production, test: 100 - record.test } : undefined)),
    targetServiceRevision: summary(record.targetRevisionArn, counts, native ? { production: record.production, test: record.test } : undefined),
    status: record.status,
    deploymentConfiguration: structuredClone(record.deploymentConfiguration),
    deploymentCircuitBreaker: circuitBreakerOf(record),
  };
  if (record.startedAt !== undefined) out["startedAt"] = record.startedAt;
  if (record.finishedAt !== undefined) out["finishedAt"] = record.finishedAt;
  if (record.stoppedAt !== undefined) out["stoppedAt"] = record.stoppedAt;
  if (record.statusReason !== undefined) out["statusReason"] = record.statusReason;
  if (record.steps !== undefined && record.stepIndex >= 0) out["lifecycleStage"] = record.steps[Math.min(record.stepIndex, record.steps.length - 1)]?.stage;
  if (record.hookDetails !== undefined) out["lifecycleHookDetails"] = structuredClone(record.hookDetails);
  if (record.rollback !== undefined) out["rollback"] = { ...record.rollback };
  return out;
}

function circuitBreakerOf(record: ServiceDeploymentRecord): Record<string, unknown> {
  const breaker = record.deploymentConfiguration["deploymentCircuitBreaker"];
  const enabled = typeof breaker === "object" && breaker !== null && (breaker as Record<string, unknown>)["enable"] === true;
  if (!enabled) return { status: "DISABLED" };
  const finished = record.finishedAt !== undefined || record.stoppedAt !== undefined;
  return { status: record.failureCount > 0 ? "TRIGGERED" : finished ? "MONITORING_COMPLETE" : "MONITORING", failureCount: record.failureCount, threshold: 3 };
}

/** The record in ListServiceDeployments' ServiceDeploymentBrief shape. */
export function renderBrief(record: ServiceDeploymentRecord): Record<string, unknown> {
  return {
    serviceDeploymentArn: record.serviceDeploymentArn,
    serviceArn: record.serviceArn,
    clusterArn: record.clusterArn,
    createdAt: record.createdAt,
    ...(record.startedAt !== undefined ? { startedAt: record.startedAt } : {}),
    ...(record.finishedAt !== undefined ? { finishedAt: record.finishedAt } : {}),
    targetServiceRevisionArn: record.targetRevisionArn,
    status: record.status,
    ...(record.statusReason !== undefined ? { statusReason: record.statusReason } : {}),
  };
}

/** The revision in DescribeServiceRevisions' ServiceRevision shape. */
export function renderRevision(revision: ServiceRevisionRecord): Record<string, unknown> {
  return {
    serviceRevisionArn: revision.serviceRevisionArn,
    serviceArn: revision.serviceArn,
    clusterArn: revision.clusterArn,
    taskDefinition: revision.taskDefinition,
    ...(revision.launchType !== undefined ? { launchType: revision.launchType } : {}),
    ...(revision.capacityProviderStrategy !== undefined ? { capacityProviderStrategy: structuredClone(revision.capacityProviderStrategy) } : {}),
    ...(revision.networkConfiguration !== undefined ? { networkConfiguration: structuredClone(revision.networkConfiguration) } : {}),
    containerImages: revision.containerImages.map((image) => ({ ...image })),
    guardDutyEnabled: false,
    createdAt: revision.createdAt,
  };
}
