/**
 * `ecs-release continue` (cli.md): go on with — or roll back — deployments that wait at a PAUSE
 * lifecycle hook (`release --until-paused` stops there: test traffic on the new revision, production on
 * the old). The gate a CircleCI approval job opens.
 *
 * Phases: verify (each service's view checked against ECS's record, its newest service deployment
 * read: it must be IN_PROGRESS with a PAUSE hook AWAITING_ACTION, else exit 2 with nothing written),
 * continue (ContinueServiceDeployment CONTINUE or ROLLBACK, every service at once), wait (exactly as
 * release and rollback), record (the new revision's outcome tag: stable once continued to the end,
 * rolled-back once rolled back, failed when ECS rolled it back on its own).
 */
import type { Service } from "@aws-sdk/client-ecs";
import type { AwsClients } from "../aws/clients.js";
import { tagResource } from "../aws/ecs.js";
import { continueServiceDeployment } from "../aws/continue-deployment.js";
import { describeServiceDeployments, describeServiceRevisions } from "../aws/service-deployments.js";
import { describeServicesChecked } from "../aws/service-view.js";
import { VISIBILITY_GRACE_MS, waitForRollouts } from "../aws/wait-rollout.js";
import type { Clock } from "../core/clock.js";
import { continueLine, findPause, type PausedDeployment } from "../core/continue-plan.js";
import { ValidationError, WaitTimeoutError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { rolloutReportError, type RolloutReport } from "../core/rollout-report.js";
import { revisionName, type RolloutTarget } from "../core/rollout-state.js";
import { lastCompletedTaskDefinition, newestRecordOf, unconfirmedViewLine } from "../core/service-view.js";
import { TAG } from "../core/tags.js";

/** What `ecs-release continue` was asked to do. */
export interface ContinueOptions {
  readonly cluster: string;
  readonly services: readonly string[];
  readonly action: "continue" | "rollback";
  /** False for `--no-wait`. */
  readonly wait: boolean;
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
}

/** What continue needs from outside. */
export interface ContinueDeps {
  readonly aws: Pick<AwsClients, "ecs" | "region">;
  readonly log: Logger;
  readonly clock: Clock;
  readonly signal: AbortSignal;
}

/** One service in the result document. */
export interface ContinueServiceResult {
  readonly service: string;
  readonly serviceDeploymentArn: string;
  readonly hookId: string;
  readonly stage: string | null;
  /** The revision the paused deployment deploys, and the one ECS returns to on a rollback. */
  readonly revision: string;
  readonly previous: string | null;
  /** not-waited, or the rollout state at the end of the wait. */
  readonly outcome: string;
  readonly reason?: string;
}

/** The result document (`--json`). */
export interface ContinueResult {
  readonly cluster: string;
  readonly action: "continue" | "rollback";
  readonly services: readonly ContinueServiceResult[];
}

/** A paused deployment with what it runs: the service's view, green's task definition and blue's. */
interface Paused extends PausedDeployment {
  readonly view: Service;
  readonly green: string;
  readonly blue: string | undefined;
}

/** Runs continue: verify, continue, wait, record. */
export async function run(options: ContinueOptions, deps: ContinueDeps): Promise<ContinueResult> {
  const paused = await verify(options, deps);
  for (const p of paused) deps.log.info(`using ${continueLine(p, options.action, revisionName(p.green), p.blue !== undefined ? revisionName(p.blue) : undefined)}`);
  await Promise.all(paused.map((p) => continueServiceDeployment(deps.aws, p.serviceDeploymentArn, p.hookId, options.action === "continue" ? "CONTINUE" : "ROLLBACK")));
  const base: ContinueResult = { cluster: options.cluster, action: options.action, services: paused.map((p) => serviceResult(p, "not-waited")) };
  if (!options.wait) {
    deps.log.info(`not waiting (--no-wait): follow with ecs-release status --cluster ${options.cluster} ${options.services.map((s) => `--service ${s}`).join(" ")}`);
    return base;
  }
  const report = await waitPhase(paused, options, deps);
  const result: ContinueResult = {
    ...base,
    services: paused.map((p) => {
      const outcome = report.outcomes.find((o) => o.service === p.service);
      return serviceResult(p, outcome?.state ?? "in-progress", outcome?.reason);
    }),
  };
  await recordOutcomes(paused, report, options.action, deps);
  const error = rolloutReportError(report, options.cluster, result);
  if (error) throw error;
  return result;
}

/** Phase 1, verify: every service's newest service deployment, paused at a PAUSE hook; exit 2 with nothing written otherwise. */
async function verify(options: ContinueOptions, deps: ContinueDeps): Promise<Paused[]> {
  if (options.services.length === 0) throw new ValidationError("continue: pass at least one --service");
  const graceMs = Math.min(VISIBILITY_GRACE_MS, options.timeoutMs);
  const checked = await describeServicesChecked(deps, options.cluster, options.services, { graceMs, pollIntervalMs: options.pollIntervalMs });
  if (checked.recordError !== undefined) throw checked.recordError;
  if (checked.missing.length > 0) throw new ValidationError(`continue: not found in cluster ${options.cluster}: ${checked.missing.join(", ")} (check --service)`);
  const stale = checked.services.flatMap((c) => (c.verdict.kind === "stale" ? [unconfirmedViewLine(c.service.serviceName ?? "", c.verdict.newest, graceMs)] : []));
  if (stale.length > 0) throw new WaitTimeoutError(`continue: ${stale.join("; ")}; nothing was written: run continue again in a minute`);
  const newest = checked.services.map((c) => ({ view: c.service, recent: c.recent, arn: newestRecordOf(c.recent)?.arn }));
  const arns = newest.flatMap((n) => (n.arn !== undefined ? [n.arn] : []));
  const records = arns.length > 0 ? await describeServiceDeployments(deps.aws, arns, deps.signal) : [];
  const found = newest.map((n) => ({ ...n, pause: findPause(n.view.serviceName ?? "", records.find((r) => r.serviceDeploymentArn === n.arn)) }));
  const problems = found.flatMap((f) => ("problem" in f.pause ? [f.pause.problem] : []));
  if (problems.length > 0) throw new ValidationError(`continue: ${problems.join("; ")}; nothing was written`, { problems });
  return withRevisions(found.map((f) => ({ view: f.view, recent: f.recent, pause: f.pause as PausedDeployment })), deps);
}

/** Green (the paused deployment's target) and blue (the last completed deployment, where ECS's rollback goes), by task definition. */
async function withRevisions(found: ReadonlyArray<{ view: Service; recent: Parameters<typeof lastCompletedTaskDefinition>[0]; pause: PausedDeployment }>, deps: ContinueDeps): Promise<Paused[]> {
  const arns = [...new Set(found.flatMap((f) => [f.pause.targetRevisionArn, ...f.recent.flatMap((b) => (b.targetServiceRevisionArn !== undefined ? [b.targetServiceRevisionArn] : []))]).filter((arn) => arn !== ""))];
  const revisions = arns.length > 0 ? await describeServiceRevisions(deps.aws, arns, deps.signal) : [];
  const taskDefinitionOf = new Map(revisions.map((r) => [r.serviceRevisionArn ?? "", r.taskDefinition ?? ""]));
  return found.map((f) => ({
    ...f.pause,
    view: f.view,
    green: taskDefinitionOf.get(f.pause.targetRevisionArn) ?? f.view.taskDefinition ?? "",
    blue: lastCompletedTaskDefinition(f.recent.filter((b) => b.serviceDeploymentArn !== f.pause.serviceDeploymentArn), taskDefinitionOf),
  }));
}

/** Phase 3, wait: continued deployments to their end, rolled-back ones back to blue (as rollback follows a stopped deployment). */
async function waitPhase(paused: readonly Paused[], options: ContinueOptions, deps: ContinueDeps): Promise<RolloutReport> {
  const targets: RolloutTarget[] = paused.map((p) => {
    if (options.action === "rollback") {
      return { service: p.service, deploymentId: p.serviceDeploymentArn, taskDefinitionArn: p.blue ?? "", serviceDeploymentArn: p.serviceDeploymentArn, stoppedTaskDefinitionArn: p.green };
    }
    const deployment = (p.view.deployments ?? []).find((d) => d.status === "PRIMARY" && d.taskDefinition === p.green) ?? (p.view.deployments ?? []).find((d) => d.taskDefinition === p.green);
    return { service: p.service, deploymentId: deployment?.id ?? "", taskDefinitionArn: p.green, serviceDeploymentArn: p.serviceDeploymentArn, ...(p.blue !== undefined ? { fallbackRevisions: [p.blue] } : {}) };
  });
  deps.log.info(`waiting for ${targets.length} deployment${targets.length === 1 ? "" : "s"} (timeout ${Math.round(options.timeoutMs / 60_000)}m)`);
  return waitForRollouts(
    { cluster: options.cluster, targets, timeoutMs: options.timeoutMs, pollIntervalMs: options.pollIntervalMs, knownEventIds: paused.flatMap((p) => (p.view.events ?? []).map((e) => e.id ?? "")) },
    deps,
  );
}

/** Phase 4, record: the green revision's outcome tag, when the wait settled it. A tag that cannot be written is a warning. */
async function recordOutcomes(paused: readonly Paused[], report: RolloutReport, action: ContinueOptions["action"], deps: ContinueDeps): Promise<void> {
  for (const p of paused) {
    const state = report.outcomes.find((o) => o.service === p.service)?.state;
    const value = state === "completed" ? (action === "continue" ? "stable" : "rolled-back") : state === "failed" || state === "rolled-back" ? "failed" : undefined;
    if (value === undefined || p.green === "") continue;
    try {
      await tagResource(deps.aws, p.green, { [TAG.outcome]: value, ...(value === "rolled-back" ? { [TAG.rolledBackAt]: new Date(deps.clock.now()).toISOString() } : {}) });
      deps.log.info(`tagged ${revisionName(p.green)} ${TAG.outcome}=${value}`);
    } catch (error) {
      deps.log.warn(`could not tag ${revisionName(p.green)} ${TAG.outcome}=${value}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function serviceResult(p: Paused, outcome: string, reason?: string): ContinueServiceResult {
  return {
    service: p.service,
    serviceDeploymentArn: p.serviceDeploymentArn,
    hookId: p.hookId,
    stage: p.stage,
    revision: revisionName(p.green),
    previous: p.blue !== undefined ? revisionName(p.blue) : null,
    outcome,
    ...(reason !== undefined ? { reason } : {}),
  };
}
