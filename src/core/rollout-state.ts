/**
 * Where a rollout stands, from one DescribeServices snapshot and the deployment our UpdateService
 * created (cli.md, release step 5). Pure.
 *
 * Like aws-actions/amazon-ecs-deploy-task-definition, we follow the deployment *id* UpdateService
 * returned, not "the service is stable": a circuit-breaker rollback also ends stable, on the wrong
 * revision. Success is that deployment COMPLETED with running = desired. Failure is that deployment
 * FAILED, or gone while the service runs another revision, or the service back on another revision.
 * When ECS rolls back, the state stays `rolling-back` until the revision fallen back to is stable.
 *
 * Two releases (or a release and a rollback) racing on one service: the later UpdateService
 * supersedes the earlier deployment. That is `superseded`, a failure of the earlier run: its
 * deployment is still listed but no longer PRIMARY and not FAILED (a circuit-breaker rollback marks
 * it FAILED first), or it is gone and the service runs a revision ECS could not have fallen back to.
 */
import type { Deployment, Service, ServiceDeployment } from "@aws-sdk/client-ecs";

/** The deployment a rollout follows. */
export interface RolloutTarget {
  readonly service: string;
  /** The id UpdateService returned (`ecs-svc/…`). */
  readonly deploymentId: string;
  /** The revision the service was updated to. */
  readonly taskDefinitionArn: string;
  /**
   * The revisions ECS could roll this deployment back to: the service's revision before the update
   * and those of the other deployments UpdateService returned. When our deployment is gone and the
   * service runs a revision outside this list, another update superseded ours. Without it, a gone
   * deployment on another revision counts as rolled back.
   */
  readonly fallbackRevisions?: readonly string[];
  /** The service as UpdateService returned it: the wait's first view, before any DescribeServices. */
  readonly updateView?: Service;
  /** ECS's service deployment of our update (the service's currentServiceDeployment when ours was PRIMARY). */
  readonly serviceDeploymentArn?: string;
  /**
   * rollback stopped ECS's deployment in flight (StopServiceDeployment ROLLBACK) instead of updating:
   * the wait follows that service deployment (`serviceDeploymentArn`) back to `taskDefinitionArn`; this
   * is the revision it was deploying.
   */
  readonly stoppedTaskDefinitionArn?: string;
}

/** Rollout states. `completed` is success; `failed`, `rolled-back`, `superseded` and `vanished` are failures. */
export type RolloutStateKind = "in-progress" | "completed" | "failed" | "rolling-back" | "rolled-back" | "superseded" | "vanished";

/** Running counts of one deployment, for the progress lines. */
export interface DeploymentCounts {
  readonly id: string;
  /** PRIMARY (newest), ACTIVE (older, draining) or INACTIVE. */
  readonly status: string;
  readonly taskDefinitionArn: string;
  readonly desired: number;
  readonly running: number;
  readonly pending: number;
  readonly failed: number;
  readonly rolloutState: string;
  /** True for the deployment our update created. */
  readonly ours: boolean;
}

/** The assessment of one snapshot. */
export interface RolloutState {
  readonly kind: RolloutStateKind;
  /** Why (ECS's rolloutStateReason, or ours). */
  readonly reason: string;
  /** For rolling-back / rolled-back / superseded: the revision the service runs instead. */
  readonly fallenBackTo?: string;
  readonly counts: readonly DeploymentCounts[];
  /** BLUE_GREEN, LINEAR and CANARY services: where ECS's service deployment stands. */
  readonly native?: NativeProgress;
}

/**
 * What to wait for after UpdateService: each update's deployment, and the revisions ECS could fall
 * back to (what the service ran before the update, and the other deployments the update's answer
 * listed). The service on any other revision later means a concurrent update superseded ours.
 */
export function rolloutTargetsOf(
  updates: ReadonlyArray<{ readonly service: string; readonly deploymentId: string; readonly taskDefinitionArn: string; readonly snapshot?: Service | undefined }>,
  before: readonly Service[],
): RolloutTarget[] {
  return updates.map((u) => {
    const serviceDeploymentArn = currentServiceDeploymentOf(u.snapshot, u.deploymentId);
    return {
      service: u.service,
      deploymentId: u.deploymentId,
      taskDefinitionArn: u.taskDefinitionArn,
      fallbackRevisions: [
        ...before.filter((s) => s.serviceName === u.service).map((s) => s.taskDefinition ?? ""),
        ...(u.snapshot?.deployments ?? []).filter((d) => d.id !== u.deploymentId).map((d) => d.taskDefinition ?? ""),
      ],
      ...(u.snapshot !== undefined ? { updateView: u.snapshot } : {}),
      ...(serviceDeploymentArn !== undefined ? { serviceDeploymentArn } : {}),
    };
  });
}

/** The service's currentServiceDeployment when `deploymentId` is its PRIMARY deployment (so the record is ours). */
export function currentServiceDeploymentOf(service: Service | undefined, deploymentId: string): string | undefined {
  const primary = (service?.deployments ?? []).find((d) => d.status === "PRIMARY");
  return primary?.id === deploymentId && primary.rolloutState !== "FAILED" ? service?.currentServiceDeployment : undefined;
}

/**
 * ECS's deployment strategies that shift traffic between a blue and a green revision through lifecycle
 * stages (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-blue-green.html,
 * and the LINEAR and CANARY variants), as opposed to ROLLING (the default).
 */
export const NATIVE_STRATEGIES: ReadonlySet<string> = new Set(["BLUE_GREEN", "LINEAR", "CANARY"]);

/** The service's strategy when it is BLUE_GREEN, LINEAR or CANARY (ECS controller only). */
export function nativeStrategyOf(service: Service | undefined): string | undefined {
  if ((service?.deploymentController?.type ?? "ECS") !== "ECS") return undefined;
  const strategy = service?.deploymentConfiguration?.strategy;
  return strategy !== undefined && NATIVE_STRATEGIES.has(strategy) ? strategy : undefined;
}

/** Where a BLUE_GREEN, LINEAR or CANARY deployment stands, from ECS's service deployment record. */
export interface NativeProgress {
  readonly strategy: string;
  /** ServiceDeploymentStatus: PENDING, IN_PROGRESS, SUCCESSFUL, ROLLBACK_IN_PROGRESS, … */
  readonly status: string;
  readonly statusReason?: string;
  /** ServiceDeploymentLifecycleStage: PRE_SCALE_UP … BAKE_TIME, CLEAN_UP. */
  readonly stage?: string;
  /** Production and test traffic on the new (target) revision, percent. */
  readonly production?: number;
  readonly test?: number;
  readonly bakeTimeInMinutes?: number;
  /** The lifecycle hooks of the current stage and their status. */
  readonly hooks: ReadonlyArray<{ readonly target: string; readonly status: string }>;
  /** The service revision ECS rolls back to. */
  readonly rollbackRevisionArn?: string;
}

/** The progress a service deployment record shows. */
export function nativeProgressOf(record: ServiceDeployment, strategy: string): NativeProgress {
  const target = record.targetServiceRevision;
  return {
    strategy,
    status: record.status ?? "",
    ...(record.statusReason !== undefined ? { statusReason: record.statusReason } : {}),
    ...(record.lifecycleStage !== undefined ? { stage: record.lifecycleStage } : {}),
    ...(target?.requestedProductionTrafficWeight !== undefined ? { production: target.requestedProductionTrafficWeight } : {}),
    ...(target?.requestedTestTrafficWeight !== undefined ? { test: target.requestedTestTrafficWeight } : {}),
    ...(record.deploymentConfiguration?.bakeTimeInMinutes !== undefined ? { bakeTimeInMinutes: record.deploymentConfiguration.bakeTimeInMinutes } : {}),
    hooks: (record.lifecycleHookDetails ?? []).map((h) => ({ target: h.targetArn ?? h.targetType ?? "hook", status: h.status ?? "" })),
    ...(record.rollback?.serviceRevisionArn !== undefined ? { rollbackRevisionArn: record.rollback.serviceRevisionArn } : {}),
  };
}

/**
 * The assessment of a BLUE_GREEN, LINEAR or CANARY service: the DescribeServices view says which
 * revision runs, ECS's service deployment says where the deployment stands and decides its end — a
 * deployment in BAKE_TIME is not done even when its tasks all run, SUCCESSFUL is, ROLLBACK_SUCCESSFUL
 * is a failure that left the service on the previous revision, STOPPED and ROLLBACK_FAILED are failures
 * (states: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment.html). A
 * lifecycle hook that returned FAILED is named in the reason.
 */
export function assessNativeRollout(state: RolloutState, progress: NativeProgress | undefined, service: Service | undefined, target: RolloutTarget): RolloutState {
  if (progress === undefined || state.kind === "superseded" || state.kind === "vanished") return progress === undefined ? state : { ...state, native: progress };
  const failedHook = progress.hooks.find((h) => h.status === "FAILED" || h.status === "TIMED_OUT");
  const why =
    failedHook !== undefined
      ? `lifecycle hook ${failedHook.target} ${failedHook.status}${progress.stage !== undefined ? ` in ${progress.stage}` : ""}`
      : progress.statusReason ?? (state.kind === "in-progress" || state.kind === "completed" ? `service deployment ${progress.status}` : state.reason);
  const fallenBackTo = state.fallenBackTo ?? (service?.taskDefinition !== target.taskDefinitionArn ? service?.taskDefinition : undefined) ?? target.fallbackRevisions?.[0];
  const back = fallenBackTo !== undefined ? { fallenBackTo } : {};
  const base = { counts: state.counts, native: progress };
  switch (progress.status) {
    case "SUCCESSFUL":
      return { ...base, kind: "completed", reason: `service deployment SUCCESSFUL: ${target.service} is on ${revisionName(target.taskDefinitionArn)}` };
    case "ROLLBACK_SUCCESSFUL":
      return { ...base, ...back, kind: "rolled-back", reason: why };
    case "ROLLBACK_REQUESTED":
    case "ROLLBACK_IN_PROGRESS":
      return { ...base, ...back, kind: "rolling-back", reason: why };
    case "ROLLBACK_FAILED":
      return { ...base, kind: "failed", reason: `ECS could not roll back (ROLLBACK_FAILED): ${why}` };
    case "STOPPED":
      return { ...base, kind: "failed", reason: `service deployment STOPPED: ${why}` };
    default:
      // PENDING, IN_PROGRESS, STOP_REQUESTED: tasks may all run (bake time), the deployment is not done.
      return state.kind === "completed" ? { ...base, kind: "in-progress", reason: `service deployment ${progress.status}${progress.stage !== undefined ? ` in ${progress.stage}` : ""}` } : { ...state, native: progress };
  }
}

/**
 * Where ECS's rollback of a stopped service deployment stands (rollback's StopServiceDeployment): done
 * when the record is ROLLBACK_SUCCESSFUL and the service runs the target; ROLLBACK_FAILED is a failure,
 * and so is SUCCESSFUL (the deployment finished before the stop took effect) or STOPPED.
 */
export function assessStopRollback(service: Service | undefined, progress: NativeProgress | undefined, target: RolloutTarget): RolloutState {
  if (!service || (service.status !== undefined && service.status !== "ACTIVE")) {
    return { kind: "vanished", reason: `service ${target.service} is ${service?.status ?? "gone"}`, counts: [] };
  }
  const counts = assessRollout(service, target).counts;
  const base = { counts, ...(progress !== undefined ? { native: progress } : {}) };
  const stopped = revisionName(target.stoppedTaskDefinitionArn ?? "");
  switch (progress?.status) {
    case "ROLLBACK_SUCCESSFUL":
      return service.taskDefinition === target.taskDefinitionArn
        ? { ...base, kind: "completed", reason: `ECS rolled ${stopped} back: ROLLBACK_SUCCESSFUL` }
        : { ...base, kind: "in-progress", reason: "ROLLBACK_SUCCESSFUL, waiting for the service to show it" };
    case "ROLLBACK_FAILED":
      return { ...base, kind: "failed", reason: `ECS could not roll ${stopped} back (ROLLBACK_FAILED${progress.statusReason ? `: ${progress.statusReason}` : ""})` };
    case "SUCCESSFUL":
      return { ...base, kind: "failed", reason: `the deployment of ${stopped} finished (SUCCESSFUL) before the stop took effect; the service stays on it: roll back again` };
    case "STOPPED":
      return { ...base, kind: "failed", reason: `the deployment of ${stopped} was STOPPED without a rollback${progress.statusReason ? ` (${progress.statusReason})` : ""}` };
    default:
      return { ...base, kind: "in-progress", reason: progress === undefined ? "waiting for ECS's service deployment" : `ECS's rollback: ${progress.status}` };
  }
}

/**
 * One line for a BLUE_GREEN, LINEAR or CANARY deployment, e.g.
 * `web: BLUE_GREEN BAKE_TIME: production 100% on web:8 (0% on web:7), test 100%; bake time 25m left`.
 */
export function formatNative(service: string, progress: NativeProgress, target: RolloutTarget, bakeLeftMs?: number): string {
  const parts: string[] = [];
  const now = revisionName(target.taskDefinitionArn);
  const before = target.fallbackRevisions?.[0] !== undefined && target.fallbackRevisions[0] !== "" ? revisionName(target.fallbackRevisions[0]) : undefined;
  if (progress.production !== undefined) parts.push(`production ${progress.production}% on ${now}${before !== undefined ? ` (${100 - progress.production}% on ${before})` : ""}`);
  if (progress.test !== undefined) parts.push(`test ${progress.test}%`);
  const hooks = progress.hooks.map((h) => `hook ${h.target} ${h.status}`);
  const bake = progress.stage === "BAKE_TIME" && bakeLeftMs !== undefined ? [`bake time ${formatMinutes(bakeLeftMs)} left`] : [];
  return `${service}: ${progress.strategy}${progress.stage !== undefined ? ` ${progress.stage}` : ""} ${progress.status}${parts.length > 0 ? `: ${parts.join(", ")}` : ""}${[...hooks, ...bake].map((p) => `; ${p}`).join("")}`;
}

function formatMinutes(ms: number): string {
  if (ms <= 0) return "0m";
  const minutes = Math.ceil(ms / 60_000);
  return minutes >= 60 ? `${Math.floor(minutes / 60)}h${minutes % 60 > 0 ? `${minutes % 60}m` : ""}` : `${minutes}m`;
}

/**
 * True when a DescribeServices answer may be older than our UpdateService: ECS's API is eventually
 * consistent ("the result of an API command you run that affects your Amazon ECS resources might not
 * be immediately visible to all subsequent commands you run",
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html), so right after the
 * update a read can still show the service without our deployment, on the old revision. Until our
 * deployment has been seen once in a DescribeServices answer, such a view says "not visible yet", not
 * "gone" or "rolled back". The caller bounds this with a grace period.
 */
export function isViewBeforeUpdate(service: Service | undefined, target: RolloutTarget): boolean {
  if (!service || (service.status !== undefined && service.status !== "ACTIVE")) return false;
  const ours = (service.deployments ?? []).find((d) => d.id === target.deploymentId);
  if (ours === undefined) return true;
  // Our deployment listed as PRIMARY while the service still names the old revision: a view half-way.
  return ours.status === "PRIMARY" && ours.rolloutState !== "FAILED" && service.taskDefinition !== undefined && service.taskDefinition !== target.taskDefinitionArn;
}

/**
 * True when a view read after our deployment was seen lists only deployments that were there before
 * our update (UpdateService's answer named them), without ours: an older view read after a newer one.
 * ECS promises no monotonic reads (its API is eventually consistent, as above), so this is not a
 * verdict either. A rollback by ECS starts a new deployment
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html), which
 * such a view would list; the caller bounds this with the same grace period.
 */
export function isOlderViewThanSeen(service: Service | undefined, target: RolloutTarget): boolean {
  if (!service || (service.status !== undefined && service.status !== "ACTIVE")) return false;
  const deployments = service.deployments ?? [];
  if (deployments.length === 0 || deployments.some((d) => d.id === target.deploymentId)) return false;
  const before = new Set((target.updateView?.deployments ?? []).map((d) => d.id).filter((id) => id !== undefined && id !== target.deploymentId));
  return deployments.every((d) => d.id !== undefined && before.has(d.id));
}

/** True for states that mean the release did not go out (rolling-back included: it will not recover). */
export function isFailure(kind: RolloutStateKind): boolean {
  return kind === "failed" || kind === "rolled-back" || kind === "vanished" || kind === "rolling-back" || kind === "superseded";
}

/** True when the wait for this service is over. */
export function isSettled(kind: RolloutStateKind): boolean {
  return kind === "completed" || kind === "failed" || kind === "rolled-back" || kind === "vanished" || kind === "superseded";
}

/** Assesses one service snapshot (undefined: DescribeServices no longer returns it). */
export function assessRollout(service: Service | undefined, target: RolloutTarget): RolloutState {
  if (!service || (service.status !== undefined && service.status !== "ACTIVE")) {
    return { kind: "vanished", reason: `service ${target.service} is ${service?.status ?? "gone"}`, counts: [] };
  }
  const deployments = service.deployments ?? [];
  const counts = deployments.map((d) => toCounts(d, target));
  const ours = deployments.find((d) => d.id === target.deploymentId);
  const primary = deployments.find((d) => d.status === "PRIMARY");
  const current = service.taskDefinition;
  const onOtherRevision = current !== undefined && current !== target.taskDefinitionArn;

  if (onOtherRevision && ours?.rolloutState !== "FAILED") {
    const replaced = ours !== undefined ? ours.status !== "PRIMARY" : target.fallbackRevisions !== undefined && !target.fallbackRevisions.includes(current);
    if (replaced) {
      const by = primary?.taskDefinition === current ? primary : deployments.find((d) => d.taskDefinition === current);
      const reason = `superseded by deployment ${by?.id ?? "(unknown)"} on revision ${revisionName(current)}: another update of service ${target.service} replaced ours`;
      return { kind: "superseded", reason, fallenBackTo: current, counts };
    }
  }
  if (ours?.rolloutState === "FAILED" || (ours && onOtherRevision) || (!ours && onOtherRevision)) {
    const reason = ours?.rolloutStateReason ?? (ours ? `service ${target.service} went back to ${revisionName(current ?? "")}` : `deployment ${target.deploymentId} is gone`);
    if (!onOtherRevision) return { kind: "failed", reason, counts };
    const fallenBackTo = current ?? "";
    const settled = primary !== undefined && primary.taskDefinition === fallenBackTo && isDeploymentDone(primary);
    return { kind: settled ? "rolled-back" : "rolling-back", reason, fallenBackTo, counts };
  }
  if (!ours) {
    // Someone else started a deployment of the same revision (force-new-deployment): follow it.
    if (primary && primary.taskDefinition === target.taskDefinitionArn) {
      return isDeploymentDone(primary)
        ? { kind: "completed", reason: `service ${target.service} is stable on ${revisionName(target.taskDefinitionArn)}`, counts }
        : { kind: "in-progress", reason: `a newer deployment ${primary.id ?? ""} of the same revision is rolling out`, counts };
    }
    return { kind: "vanished", reason: `deployment ${target.deploymentId} is gone and service ${target.service} has no deployment of ${revisionName(target.taskDefinitionArn)}`, counts };
  }
  if (isDeploymentDone(ours)) {
    return { kind: "completed", reason: ours.rolloutStateReason ?? `service ${target.service} is stable on ${revisionName(target.taskDefinitionArn)}`, counts };
  }
  return { kind: "in-progress", reason: ours.rolloutStateReason ?? "in progress", counts };
}

/**
 * COMPLETED (a deployment without rolloutState: running = desired, nothing pending). COMPLETED alone
 * decides: ECS sets it once the deployment reached a steady state
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html, rolloutState), and
 * auto scaling may change desiredCount at any time after that
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-auto-scaling.html), leaving
 * running ≠ desired for a while on a finished rollout.
 */
function isDeploymentDone(deployment: Deployment): boolean {
  if (deployment.rolloutState !== undefined) return deployment.rolloutState === "COMPLETED";
  return (deployment.runningCount ?? 0) === (deployment.desiredCount ?? 0) && (deployment.pendingCount ?? 0) === 0;
}

function toCounts(deployment: Deployment, target: RolloutTarget): DeploymentCounts {
  return {
    id: deployment.id ?? "",
    status: deployment.status ?? "",
    taskDefinitionArn: deployment.taskDefinition ?? "",
    desired: deployment.desiredCount ?? 0,
    running: deployment.runningCount ?? 0,
    pending: deployment.pendingCount ?? 0,
    failed: deployment.failedTasks ?? 0,
    rolloutState: deployment.rolloutState ?? "",
    ours: deployment.id === target.deploymentId,
  };
}

/** `arn:…:task-definition/web:7` → `web:7`. */
export function revisionName(taskDefinitionArn: string): string {
  const slash = taskDefinitionArn.lastIndexOf("/");
  return slash === -1 ? taskDefinitionArn : taskDefinitionArn.slice(slash + 1);
}

/** The family of a task definition ARN or `family:revision`. */
export function familyOf(taskDefinition: string): string {
  const name = revisionName(taskDefinition);
  const colon = name.lastIndexOf(":");
  return colon === -1 ? name : name.slice(0, colon);
}

/** One progress line: the deployments side by side, ours marked `new`, e.g. `web: new web:8 1/2 running (1 pending) IN_PROGRESS | old web:7 1 running`. */
export function formatCounts(service: string, counts: readonly DeploymentCounts[]): string {
  const parts = counts.map((c) => {
    const label = c.ours ? "new" : c.status === "PRIMARY" ? "primary" : "old";
    const pending = c.pending > 0 ? ` (${c.pending} pending)` : "";
    const failed = c.failed > 0 ? ` ${c.failed} failed` : "";
    return `${label} ${revisionName(c.taskDefinitionArn)} ${c.running}/${c.desired} running${pending}${failed}${c.rolloutState ? ` ${c.rolloutState}` : ""}`;
  });
  return `${service}: ${parts.length > 0 ? parts.join(" | ") : "no deployments"}`;
}

/**
 * True when the service's newest deployment FAILED and ECS leaves it in place: the circuit breaker
 * does not roll back, so nothing will change without a new deployment
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html). A
 * settled state, not a deployment in progress.
 */
export function hasFailedDeploymentLeftInPlace(service: Service): boolean {
  const primary = (service.deployments ?? []).find((d) => d.status === "PRIMARY");
  const breaker = service.deploymentConfiguration?.deploymentCircuitBreaker;
  return primary?.rolloutState === "FAILED" && !(breaker?.enable === true && breaker.rollback === true);
}

/** True when the service already has a deployment rolling out (more than one, or the primary not COMPLETED); a FAILED one left in place is not. */
export function hasDeploymentInProgress(service: Service): boolean {
  const deployments = service.deployments ?? [];
  if (hasFailedDeploymentLeftInPlace(service)) return false;
  if (deployments.length > 1) return true;
  const primary = deployments[0];
  return primary?.rolloutState === "IN_PROGRESS";
}

/** Warnings about a service's deployment configuration that leaves it unprotected. */
export function deploymentConfigurationWarnings(service: Service): string[] {
  const name = service.serviceName ?? "service";
  const controller = service.deploymentController?.type ?? "ECS";
  if (controller !== "ECS") return [];
  const config = service.deploymentConfiguration ?? {};
  const warnings: string[] = [];
  const minimum = config.minimumHealthyPercent;
  if (minimum !== undefined && minimum < 100) {
    warnings.push(`${name}: minimumHealthyPercent is ${minimum}%: ECS may stop old tasks before new ones are healthy (capacity drops during the rollout)`);
  }
  const breaker = config.deploymentCircuitBreaker;
  if (!breaker?.enable) {
    warnings.push(`${name}: the deployment circuit breaker is off: a revision whose tasks never start keeps ECS retrying until --timeout, and nothing rolls back`);
  } else if (!breaker.rollback) {
    warnings.push(`${name}: the deployment circuit breaker does not roll back: a failed rollout leaves the service on the failed revision`);
  }
  return warnings;
}
