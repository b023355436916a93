/**
 * `ecs-release rollback` (cli.md): point services at an existing revision (no new revision), so its
 * image and its environment come back.
 *
 * Phases: verify (every read and check — nothing is written before all pass: the services, their
 * controllers, each target chosen by the pure rule in core/rollback-target.ts, the target's images in
 * ECR, a re-run of this pipeline's rollback), update (every service at once, the run recorded on each
 * target), wait (exactly as release), record (tag the revisions rolled back from, deregister them and
 * the failed ones newer than the target — never one any service in the region runs, never one tagged
 * to keep — unless --keep-bad). The decisions are core/rollback-plan.ts's; this file does the I/O.
 * Reads before the first write are few, and made in as few round trips as they allow (verify): one
 * DescribeServices; then together ECS's service deployment record, the running revision, one
 * ListTaskDefinitions page and the two revisions below the running one (further ones a growing window
 * at a time, only when those do not decide); then together one DescribeImages per target image in
 * this account's ECR, its secret versions, and the service revisions of a deployment in flight. The
 * ECS, ECR and Secrets Manager connections those later rounds need are opened during the first
 * (aws/connections.ts), so on AWS only the first round trip pays a connection's TCP and TLS handshakes.
 */
import type { Service, ServiceDeployment, ServiceDeploymentBrief } from "@aws-sdk/client-ecs";
import type { AwsClients } from "../aws/clients.js";
import { openAhead } from "../aws/connections.js";
import { useEarlyRead, type EarlyRead } from "../aws/early-read.js";
import { ecrImageExists } from "../aws/ecr.js";
import { secretVersionIds } from "../aws/secrets-manager.js";
import { partialUpdateError, tagResource, updateServices, type StartedDeployment } from "../aws/ecs.js";
import { deregisterRevision, describeRevision, describeRevisions, listRegionUsage, listRevisionArns, RevisionLister, undescribedInactiveRecord } from "../aws/task-definitions.js";
import { mapConcurrently } from "../core/map-concurrently.js";
import { plural } from "../core/plural.js";
import { waitForRollouts } from "../aws/wait-rollout.js";
import { withStoppedTaskLogs } from "./task-logs.js";
import { rolloutReportError, type RolloutReport } from "../core/rollout-report.js";
import type { StoppedTaskReason } from "../core/stopped-tasks.js";
import type { Clock } from "../core/clock.js";
import { formatDuration } from "../core/duration.js";
import { arnAccountAndRegion, imagesToCheck, type EcrImageRef } from "../core/ecr-image.js";
import { DeploymentFailedError, InterruptedError, ValidationError, WaitTimeoutError, type EcsReleaseError } from "../core/errors.js";
import { shaOf } from "../core/history.js";
import type { Logger } from "../core/logger.js";
import { environmentOf, formatRevisionName, outcomeOf, parseRevisionName, type RevisionRecord } from "../core/revision-record.js";
import { clusterName, revisionUsers, withScheduledUsers } from "../core/revision-usage.js";
import { listScheduledTaskTargets } from "../aws/schedules.js";
import {
  checkRollbackServices,
  connectionsAhead,
  groupByRevision,
  planDeregistration,
  planRollback,
  rolledBackByRun,
  serviceNames,
  withRolledBackTags,
  type DeregistrationPlan,
  type GroupChoice,
  type RevisionGroup,
  type RollbackMove,
  type RollbackPlan,
  type SparedRef,
} from "../core/rollback-plan.js";
import { formatRollbackTo, parseRollbackTo, selectRollbackTarget, type RollbackTo } from "../core/rollback-target.js";
import { rolloutTargetsOf } from "../core/rollout-state.js";
import { chooseRollbackMethod, inFlightArn, inFlightDeployments, mayStop, type InFlightDeployment, type RollbackMethod } from "../core/rollback-method.js";
import { describeServicesChecked } from "../aws/service-view.js";
import { VISIBILITY_GRACE_MS } from "../aws/wait-rollout.js";
import { staleViewLine, unconfirmedViewLine } from "../core/service-view.js";
import { describeServiceDeployments, describeServiceRevisions, stopServiceDeploymentRollback } from "../aws/service-deployments.js";
import { AwsCallError } from "../core/errors.js";
import { TAG } from "../core/tags.js";
import { familyOf } from "../core/rollout-state.js";
import type { ScheduledMove } from "../core/scheduled-tasks.js";
import { logPlannedMoves, moveScheduledTasks, readScheduledTasks } from "./scheduled-tasks.js";

/** What `ecs-release rollback` was asked to do. */
export interface RollbackOptions {
  readonly cluster: string;
  readonly services: readonly string[];
  /** previous | REVISION | FAMILY:REVISION | ARN | sha:SHA */
  readonly to: string;
  /** Tag the revisions rolled back from, but deregister nothing. */
  readonly keepBad: boolean;
  readonly dryRun: boolean;
  /** False for `--no-wait`: update and return (nothing is deregistered then). */
  readonly wait: boolean;
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
  /**
   * What identifies this rollback across CircleCI re-runs (rollbackRunKey: the pipeline and job);
   * recorded on each target. Services on a target recorded with the same key are left as they are.
   */
  readonly runKey?: string | undefined;
  /**
   * `--update-schedules` (commands/scheduled-tasks.ts): once every service is stable on its target and
   * before anything is deregistered, point the EventBridge rule targets and Scheduler schedules that
   * run a revision of a rolled-back family at the target.
   */
  readonly updateSchedules?: boolean;
}

/** What rollback needs from outside. */
export interface RollbackDeps {
  readonly aws: Pick<AwsClients, "ecs" | "ecr" | "events" | "scheduler" | "secretsManager" | "logs" | "region" | "agents">;
  readonly log: Logger;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** The first DescribeServices, sent before the SDK loaded (aws/early-read.ts): its answer is used when it is the same read. */
  readonly early?: EarlyRead;
}

/** A revision in the result document. */
export interface RevisionRef {
  readonly arn: string;
  readonly revision: string;
  readonly sha: string | null;
  readonly outcome: string;
}

/** One service in the result document. */
export interface RollbackServiceResult {
  readonly service: string;
  readonly from: string;
  readonly to: string;
  readonly deploymentId: string | null;
  /** planned (dry run), unchanged (already on the target), not-waited, or the rollout state. */
  readonly outcome: string;
  readonly reason?: string;
  /** A failed rollout: why a few of its tasks stopped (stoppedReason, stopCode, containers' exit codes). */
  readonly stoppedTasks?: readonly StoppedTaskReason[];
  /** How it goes back: StopServiceDeployment ROLLBACK of ECS's deployment in flight, or UpdateService to the target. */
  readonly method?: "stop-service-deployment" | "update-service";
}

/** The result document (`--json`), also attached to errors. */
export interface RollbackResult {
  readonly cluster: string;
  readonly to: string;
  readonly dryRun: boolean;
  readonly targets: ReadonlyArray<RevisionRef & { readonly rolledBackFrom: readonly string[]; readonly note: string | null }>;
  readonly services: readonly RollbackServiceResult[];
  /** Deregistered (under --dry-run: would be). Empty with --keep-bad, --no-wait, or when the rollout failed. */
  readonly deregistered: readonly RevisionRef[];
  /** Revisions left registered although rolled back from or failed, and why. */
  readonly spared: readonly SparedRef[];
  /** Revisions tagged TAG.outcome=rolled-back. */
  readonly taggedRolledBack: readonly string[];
  /** `--update-schedules`: the scheduled tasks pointed at the targets (dry run: that would be). */
  readonly schedules?: readonly ScheduledMove[];
}

/** How far back `previous`/`sha:` reads before deciding with what it has. */
const SCAN_BUDGET = 200;

/** What the verify phase established. */
interface Verified {
  readonly to: RollbackTo;
  readonly described: readonly Service[];
  readonly plan: RollbackPlan;
  /** How each moving service goes back, by service name (core/rollback-method.ts). */
  readonly methods: ReadonlyMap<string, RollbackMethod>;
  /** The result of a rollback that writes nothing: the base of every other result. */
  readonly result: RollbackResult;
}

/** Runs a rollback: verify, then update, wait and record (see the file's comment). */
export async function run(options: RollbackOptions, deps: RollbackDeps): Promise<RollbackResult> {
  const started = deps.clock.now();
  const verified = await verify(options, deps);
  logPlan(verified, options, deps.log);
  if (verified.plan.moving.length === 0) return verified.result;
  const scheduled = options.updateSchedules ? await readScheduledTasks(deps) : undefined;
  if (options.dryRun) {
    const planned = await dryRun(verified, options, deps);
    return scheduled ? { ...planned, schedules: logPlannedMoves(scheduled, scheduleTargets(verified.plan.moving), deps.log) } : planned;
  }
  const updated = await updatePhase(verified, options, deps);
  if (!options.wait) {
    deps.log.info(`not waiting (--no-wait): nothing deregistered; follow with ecs-release status --cluster ${options.cluster} ${options.services.map((s) => `--service ${s}`).join(" ")}`);
    return { ...verified.result, services: serviceResults(verified, updated) };
  }
  // The revisions newer than each target are read while the rollouts run.
  const newer = withNewerRevisions(verified.plan.moving, deps);
  newer.catch(() => undefined);
  const report = await waitPhase(verified, updated, options, deps);
  // Scheduled tasks follow before anything is deregistered (a deregistered revision runs no new task).
  const schedules = scheduled ? await moveScheduledTasks(scheduled, scheduleTargets(verified.plan.moving), deps, (message) => deps.log.warn(message)) : undefined;
  const result = { ...verified.result, services: serviceResults(verified, updated, report), ...(schedules ? { schedules } : {}) };
  return recordPhase(await newer, result, options, deps, started);
}

/** `--update-schedules`: each moving family (the one rolled back from, and the target's) → the target revision. */
function scheduleTargets(moving: readonly RollbackMove[]): Map<string, string> {
  return new Map(moving.flatMap(({ group, target }) => [[familyOf(group.currentArn), target.arn] as const, [familyOf(target.arn), target.arn] as const]));
}

/**
 * Phase 1, verify: every read and every check; throws ValidationError (exit 2) before any write.
 * Reads that need only the same answer run together: with the first DescribeServices view, ECS's
 * record (the stale-view check), the running revision, the listing and the likely targets, and the
 * service deployment in flight; then, with the targets, their images, their secret versions and the
 * service revisions ECS's rollback would go to. Nothing is chosen before the view is confirmed.
 */
async function verify(options: RollbackOptions, deps: RollbackDeps): Promise<Verified> {
  const to = parseRollbackTo(options.to);
  if (options.services.length === 0) throw new ValidationError("rollback: pass at least one --service");
  // The connections for the calls after DescribeServices (core/rollback-plan.ts, connectionsAhead; and
  // one for DescribeServices itself), opened while the calls before them are in flight
  // (DescribeServices; STS with OIDC), not after. With an early read (aws/early-read.ts),
  // DescribeServices is in flight already and these connections are being opened: its agents become
  // the clients', and the SDK is given its answer.
  if (deps.early !== undefined && deps.aws.agents !== undefined) Object.assign(deps.aws.agents, { ...deps.early.agents, ...deps.aws.agents });
  const ahead = connectionsAhead(options.services.length);
  openAhead(deps.aws, { ...ahead, ECS: ahead.ECS + (deps.early === undefined ? 1 : 0) });
  if (deps.early !== undefined) useEarlyRead(deps.aws.ecs, deps.early, (line) => deps.log.debug(line));
  const described = await readServices(options, deps, to);
  checkRollbackServices(options.cluster, described.services, described.missing);
  const choices = described.choices !== undefined ? await described.choices : await Promise.all(groupByRevision(described.services).map((group) => choose(group, to, options, deps)));
  const plan = planRollback(to, choices);
  const [images, secrets, methods] = await Promise.allSettled([checkTargetImages(plan.moving, to, deps), checkTargetSecrets(plan.moving, to, deps), rollbackMethods(plan.moving, described, deps)]);
  // The checks' verdicts in a fixed order (images, then secrets), whichever answered first.
  const unchecked = settled(images);
  settled(secrets);
  if (unchecked.length > 0) {
    deps.log.info(`not checked (not in this account's ECR in ${deps.aws.region}): ${unchecked.join(", ")}; if one is gone, its tasks stop with CannotPullContainerError and rollback exits 1 with nothing deregistered`);
  }
  return { to, described: described.services, plan, methods: settled(methods), result: verifiedResult(to, plan, settled(methods), options) };
}

/** The value of a settled promise, or its error thrown. */
function settled<T>(outcome: PromiseSettledResult<T>): T {
  if (outcome.status === "rejected") throw outcome.reason;
  return outcome.value;
}

/** The result of a rollback that writes nothing: the targets, and each service's plan and method. */
function verifiedResult(to: RollbackTo, plan: RollbackPlan, methods: ReadonlyMap<string, RollbackMethod>, options: RollbackOptions): RollbackResult {
  return {
    cluster: options.cluster,
    to: formatRollbackTo(to),
    dryRun: options.dryRun,
    targets: plan.all.map(({ group, target, note }) => ({ ...ref(target), rolledBackFrom: [group.currentArn], note })),
    services: plan.all.flatMap(({ group, target }) =>
      group.services.map((s) => {
        const method = methods.get(s.serviceName ?? "");
        return {
          service: s.serviceName ?? "",
          from: group.currentArn,
          to: target.arn,
          deploymentId: null,
          outcome: target.arn === group.currentArn ? "unchanged" : options.dryRun ? "planned" : "not-waited",
          ...(method !== undefined ? { method: method.kind === "stop" ? ("stop-service-deployment" as const) : ("update-service" as const) } : {}),
        };
      }),
    ),
    deregistered: [],
    spared: [],
    taggedRolledBack: [],
  };
}

/**
 * The services as they are now (aws/service-view.ts): a DescribeServices view older than the service's
 * newest service deployment is read again until it shows it (at most VISIBILITY_GRACE_MS, never past
 * --timeout). A view that never catches up stops the rollback before anything is chosen or written: a
 * target chosen from it would roll back from the revision before the newest release, and deregister a
 * good one. Returns the views and each service's newest service deployments.
 */
async function readServices(options: RollbackOptions, deps: RollbackDeps, to: RollbackTo): Promise<ReadServices> {
  const graceMs = Math.min(VISIBILITY_GRACE_MS, options.timeoutMs);
  let early: Pick<ReadServices, "choices" | "inFlight"> = {};
  const onFirstView = (view: readonly Service[]): void => void (early = readAhead(view, to, options, deps));
  const checked = await describeServicesChecked(deps, options.cluster, options.services, { graceMs, pollIntervalMs: options.pollIntervalMs, onFirstView });
  if (checked.recordError !== undefined) deps.log.warn(`could not read ECS's service deployments (${checked.recordError.message}): rolling back from DescribeServices' view alone, which may not show a release made seconds ago`);
  for (const c of checked.services) if (c.missed !== undefined && c.verdict.kind === "current") deps.log.info(staleViewLine(c.service.serviceName ?? "", c.missed, c.rereads));
  const stale = checked.services.flatMap((c) => (c.verdict.kind === "stale" ? [unconfirmedViewLine(c.service.serviceName ?? "", c.verdict.newest, graceMs)] : []));
  if (stale.length > 0) throw new WaitTimeoutError(`rollback: ${stale.join("; ")}; nothing was chosen or written: run rollback again in a minute`);
  // What was read ahead stands only when the first view was confirmed as it was (no service read again).
  const confirmed = checked.services.every((c) => c.rereads === 0);
  return {
    services: checked.services.map((c) => c.service),
    missing: checked.missing,
    recent: new Map(checked.services.map((c) => [c.service.serviceName ?? "", c.recent])),
    ...(confirmed ? early : {}),
  };
}

/** The services, confirmed; each service's newest service deployments; and what was read ahead from the first view. */
interface ReadServices {
  readonly services: Service[];
  readonly missing: readonly string[];
  readonly recent: ReadonlyMap<string, readonly ServiceDeploymentBrief[]>;
  /** Each group's choice, read while ECS's record was (only when the view it was read from was confirmed). */
  readonly choices?: Promise<GroupChoice[]>;
  /** The service deployments the view names as current where one may be in flight (DescribeServiceDeployments), read likewise. */
  readonly inFlight?: Promise<ServiceDeployment[]>;
}

/**
 * The reads that need only a DescribeServices view, started while ECS's record is read: each group's
 * choice (its running revision and candidates), and the service deployment each service that may
 * have one in flight names as current (mayStop). Their failures surface only where they are used.
 */
function readAhead(view: readonly Service[], to: RollbackTo, options: RollbackOptions, deps: RollbackDeps): Pick<ReadServices, "choices" | "inFlight"> {
  const choices = Promise.resolve().then(() => Promise.all(groupByRevision(view).map((group) => choose(group, to, options, deps))));
  const arns = [...new Set(view.flatMap((s) => (mayStop(s) && s.currentServiceDeployment !== undefined ? [s.currentServiceDeployment] : [])))];
  const inFlight = arns.length > 0 ? describeServiceDeployments(deps.aws, arns, deps.signal) : Promise.resolve([]);
  choices.catch(() => undefined);
  inFlight.catch(() => undefined);
  return { choices, inFlight };
}

/**
 * How each moving service goes back (core/rollback-method.ts): the service's newest service deployment,
 * when it is in flight (PENDING or IN_PROGRESS in ECS's record: the record decides, not the rolling-only
 * rolloutState nor a currentServiceDeployment that may lag), is read with its revisions — one
 * DescribeServiceDeployments and one DescribeServiceRevisions per 20 such services. When ECS's record
 * cannot be read, those services are updated as before.
 */
async function rollbackMethods(moving: readonly RollbackMove[], described: Pick<ReadServices, "recent" | "inFlight">, deps: RollbackDeps): Promise<Map<string, RollbackMethod>> {
  const { recent } = described;
  const services = moving.flatMap(({ group, target }) => group.services.map((service) => ({ service, target: target.arn, flight: inFlightArn(recent.get(service.serviceName ?? "") ?? []) })));
  const arns = [...new Set(services.flatMap(({ flight }) => (flight !== undefined ? [flight] : [])))];
  let inFlight = new Map<string, InFlightDeployment>();
  if (arns.length > 0) {
    try {
      // Those read ahead (the view's current service deployment), then any the record names besides.
      const ahead = (await described.inFlight?.catch(() => [])) ?? [];
      const missed = arns.filter((arn) => !ahead.some((d) => d.serviceDeploymentArn === arn));
      const deployments = [...ahead.filter((d) => arns.includes(d.serviceDeploymentArn ?? "")), ...(missed.length > 0 ? await describeServiceDeployments(deps.aws, missed, deps.signal) : [])];
      const done = [...recent.values()].flatMap((briefs) => briefs.filter((b) => b.status === "SUCCESSFUL").slice(0, 1).flatMap((b) => (b.targetServiceRevisionArn !== undefined ? [b.targetServiceRevisionArn] : [])));
      const sources = [...new Set([...deployments.flatMap((d) => (d.sourceServiceRevisions ?? []).flatMap((r) => (r.arn !== undefined ? [r.arn] : []))), ...done])];
      const revisions = sources.length > 0 ? await describeServiceRevisions(deps.aws, sources, deps.signal) : [];
      inFlight = inFlightDeployments(deployments, revisions, recent);
    } catch (error) {
      if (!(error instanceof AwsCallError)) throw error;
      deps.log.warn(`could not read ECS's service deployments in flight (${error.message}); updating the services instead`);
    }
  }
  return new Map(services.map(({ service, target, flight }) => [service.serviceName ?? "", chooseRollbackMethod(service, target, flight !== undefined ? inFlight.get(flight) : undefined)]));
}

/** The notes, one line per group (where it goes) and per service (how: stop ECS's deployment in flight, or update), and why nothing moves when nothing does. */
function logPlan({ plan, methods }: Verified, options: RollbackOptions, log: Logger): void {
  for (const { note } of plan.all) if (note) log.warn(note);
  if (plan.rolledBackByRun.length > 0) log.info(alreadyRolledBackLine(plan.rolledBackByRun, options.runKey ?? ""));
  for (const { group, target } of plan.all) {
    const verb = target.arn === group.currentArn ? "already on" : options.dryRun ? "would roll back to" : "rolling back to";
    log.info(`${serviceNames(group)}: ${formatRevisionName(group.current)} → ${verb} ${describeRevisionLine(target)}`);
  }
  for (const method of methods.values()) log.info(`${options.dryRun ? "would use " : "using "}${method.line}`);
  if (plan.moving.length === 0) {
    log.info(plan.rolledBackByRun.length > 0 ? `already rolled back by this ${options.runKey}: nothing to do` : "nothing to roll back: every service already runs its target revision");
  }
}

/** The dry run: what would be deregistered once every service is stable, and what spared. Writes nothing. */
async function dryRun(verified: Verified, options: RollbackOptions, deps: RollbackDeps): Promise<RollbackResult> {
  if (options.keepBad) {
    deps.log.info("dry run (--keep-bad): would tag the revisions rolled back from and deregister nothing");
    return verified.result;
  }
  const [region, moving, scheduled] = await Promise.all([listRegionUsage(deps.aws, options.cluster, deps.signal), withNewerRevisions(verified.plan.moving, deps), listScheduledTaskTargets(deps.aws, deps.signal)]);
  // The services moved away no longer hold their revision; any other service in the region does, and so do rules and schedules.
  const movingNames = moving.flatMap(({ group }) => group.services.map((s) => s.serviceName ?? ""));
  const plan = planDeregistration(moving, withScheduledUsers(revisionUsers(region, { home: options.cluster, exclude: movingNames }), scheduled, moving.flatMap((m) => m.known)));
  deps.log.info(`dry run: would deregister ${list(plan.deregister)} once every service is stable${spareText(plan.spared)}`);
  return { ...verified.result, deregistered: plan.deregister.map(ref), spared: plan.spared };
}

/** Phase 2, update: every service at once; the run is recorded on each target whose services all updated. */
async function updatePhase(verified: Verified, options: RollbackOptions, deps: RollbackDeps): Promise<StartedDeployment[]> {
  const { moving } = verified.plan;
  const all = moving.flatMap(({ group, target }) => group.services.map((s) => ({ service: s.serviceName ?? "", taskDefinitionArn: target.arn })));
  // Services with ECS's deployment in flight are stopped with ROLLBACK first (a stop that fails is updated instead).
  const stopped = await stopPhase(verified, all, deps);
  const targets = all.filter((t) => !stopped.some((s) => s.service === t.service));
  const updates = await updateServices(deps.aws, options.cluster, targets);
  const started = [...stopped, ...updates.started];
  const failure = updates.failure;
  await recordRun(moving, started, options.runKey, deps);
  for (const u of updates.started) deps.log.info(`updated ${u.service} to ${shortName(u.taskDefinitionArn)} (deployment ${u.deploymentId})`);
  if (failure !== undefined) {
    const already = started.length > 0 ? ` (already updated: ${started.map((u) => u.service).join(", ")}; those roll back regardless; nothing was deregistered)` : " (no service was updated)";
    throw partialUpdateError(failure, already, { ...verified.result, services: serviceResults(verified, started) });
  }
  return started;
}

/**
 * StopServiceDeployment ROLLBACK for the services whose method is `stop`, concurrently. Each stopped
 * service is followed by its service deployment (its ARN stands as the deployment id). A stop ECS
 * refuses (the deployment finished meanwhile, say) is a warning: that service is updated instead.
 */
async function stopPhase(verified: Verified, all: ReadonlyArray<{ service: string; taskDefinitionArn: string }>, deps: RollbackDeps): Promise<StartedDeployment[]> {
  const stops = all.flatMap((t) => {
    const method = verified.methods.get(t.service);
    return method?.kind === "stop" ? [{ ...t, serviceDeploymentArn: method.serviceDeploymentArn }] : [];
  });
  const done = await Promise.all(
    stops.map(async (stop) => {
      try {
        await stopServiceDeploymentRollback(deps.aws, stop.serviceDeploymentArn);
        deps.log.info(`stopped ${stop.service}'s deployment in flight with ROLLBACK (${stop.serviceDeploymentArn}); following ECS's rollback to ${shortName(stop.taskDefinitionArn)}`);
        return [{ service: stop.service, taskDefinitionArn: stop.taskDefinitionArn, deploymentId: stop.serviceDeploymentArn, snapshot: undefined }];
      } catch (error) {
        if (!(error instanceof AwsCallError)) throw error;
        deps.log.warn(`${stop.service}: StopServiceDeployment failed (${error.message}); updating the service to ${shortName(stop.taskDefinitionArn)} instead`);
        return [];
      }
    }),
  );
  return done.flat();
}

/** Phase 3, wait: exactly as release does. A failed, timed-out or interrupted wait tags and deregisters nothing. */
async function waitPhase(verified: Verified, updated: readonly StartedDeployment[], options: RollbackOptions, deps: RollbackDeps): Promise<RolloutReport> {
  deps.log.info(`waiting for ${updated.length} rollout${updated.length === 1 ? "" : "s"} (timeout ${formatDuration(options.timeoutMs)}, polling every ${formatDuration(options.pollIntervalMs)})`);
  const waited = await waitForRollouts(
    {
      cluster: options.cluster,
      targets: rolloutTargetsOf(updated, verified.described).map((target) => {
        // A stopped deployment: follow ECS's rollback through the service deployment.
        const method = verified.methods.get(target.service);
        if (method?.kind !== "stop" || target.deploymentId !== method.serviceDeploymentArn) return target;
        const current = verified.described.find((s) => s.serviceName === target.service)?.taskDefinition ?? "";
        return { ...target, serviceDeploymentArn: method.serviceDeploymentArn, stoppedTaskDefinitionArn: current };
      }),
      timeoutMs: options.timeoutMs,
      pollIntervalMs: options.pollIntervalMs,
      knownEventIds: verified.described.flatMap((s) => (s.events ?? []).map((e) => e.id ?? "")),
    },
    deps,
  );
  // What the containers said: the last log lines of each stopped task the report names.
  const report = await withStoppedTaskLogs(waited, deps);
  const result = { ...verified.result, services: serviceResults(verified, updated, report) };
  const error = rolloutReportError(report, options.cluster, result);
  if (error) throw nothingDeregistered(error, result);
  return report;
}

/** Phase 4, record, once every service is stable on its target: tag the revisions rolled back from, then deregister. */
async function recordPhase(moving: readonly RollbackMove[], result: RollbackResult, options: RollbackOptions, deps: RollbackDeps, started: number): Promise<RollbackResult> {
  const now = new Date(deps.clock.now()).toISOString();
  const { rolledBackFrom } = planDeregistration(moving, new Map());
  const taggedRolledBack = await tagRolledBack(rolledBackFrom, now, deps);
  if (options.keepBad) {
    deps.log.info(`rolled back in ${formatDuration(deps.clock.now() - started)}; --keep-bad: nothing deregistered`);
    return { ...result, taggedRolledBack };
  }
  // Any service in any cluster of the region keeps a revision (families are often shared by clusters).
  // So does an EventBridge rule or Scheduler schedule that names the revision.
  const [region, scheduled] = await Promise.all([listRegionUsage(deps.aws, options.cluster, deps.signal), listScheduledTaskTargets(deps.aws, deps.signal)]);
  const recorded = moving.map((m) => ({ ...m, known: withRolledBackTags(m.known, rolledBackFrom) }));
  const plan = planDeregistration(recorded, withScheduledUsers(revisionUsers(region, { home: options.cluster }), scheduled, recorded.flatMap((m) => m.known)));
  for (const s of plan.spared) deps.log.info(`not deregistering ${s.revision}: ${s.reason}`);
  const deregistered = await deregisterAll(plan, now, deps);
  deps.log.info(`rolled back in ${formatDuration(deps.clock.now() - started)}: ${moving.map((m) => `${serviceNames(m.group)} on ${formatRevisionName(m.target)}`).join(", ")}`);
  return { ...result, taggedRolledBack, deregistered, spared: plan.spared };
}

/** Tags each revision rolled back from TAG.outcome=rolled-back; a tag that cannot be written is a warning. Returns those tagged. */
async function tagRolledBack(arns: readonly string[], now: string, deps: RollbackDeps): Promise<string[]> {
  const tagged = await Promise.all(
    arns.map(async (arn) => {
      try {
        await tagResource(deps.aws, arn, { [TAG.outcome]: "rolled-back", [TAG.rolledBackAt]: now });
        deps.log.info(`tagged ${shortName(arn)} ${TAG.outcome}=rolled-back`);
        return [arn];
      } catch (error) {
        deps.log.warn(`could not tag ${shortName(arn)} as rolled back: ${error instanceof Error ? error.message : String(error)}`);
        return [];
      }
    }),
  );
  return tagged.flat();
}

/** Deregisters the plan's revisions, two at a time, newest first; the failed ones get TAG.rolledBackAt first. */
async function deregisterAll(plan: DeregistrationPlan, now: string, deps: RollbackDeps): Promise<RevisionRef[]> {
  return mapConcurrently(plan.deregister, 2, async (record) => {
    if (!plan.rolledBackFrom.includes(record.arn)) await tagResource(deps.aws, record.arn, { [TAG.rolledBackAt]: now });
    await deregisterRevision(deps.aws, record.arn);
    deps.log.info(`deregistered ${formatRevisionName(record)} (${outcomeOf(record)})`);
    return ref(record);
  });
}

/** The error of a failed wait, saying that nothing was tagged or deregistered (a new error; the wait's is its cause). */
function nothingDeregistered(error: EcsReleaseError, result: RollbackResult): EcsReleaseError {
  const message = `${error.message} — nothing was tagged or deregistered`;
  const options = { cause: error, result };
  if (error instanceof InterruptedError) return new InterruptedError(message, options);
  if (error instanceof WaitTimeoutError) return new WaitTimeoutError(message, options);
  return new DeploymentFailedError(message, options);
}

/** Per-service results: planned targets, then the deployment each update started, then the state each wait ended in. */
function serviceResults(verified: Verified, updated: readonly StartedDeployment[], report?: RolloutReport): RollbackServiceResult[] {
  return verified.result.services.map((s) => {
    const update = updated.find((u) => u.service === s.service);
    const outcome = report?.outcomes.find((o) => o.service === s.service);
    if (!update) return s;
    const method = update.deploymentId.startsWith("arn:") ? ("stop-service-deployment" as const) : ("update-service" as const);
    return {
      ...s,
      deploymentId: update.deploymentId,
      method,
      ...(outcome ? { outcome: outcome.state, reason: outcome.reason } : {}),
      ...(outcome?.stoppedTasks !== undefined ? { stoppedTasks: outcome.stoppedTasks } : {}),
    };
  });
}

/**
 * One group's choice: left where it is when this run's rollback already moved it there (a re-run,
 * with a run key), else the target the pure rule chooses. The running revision (its record and
 * environment) is read together with the first candidates (firstReads): neither needs the other.
 */
async function choose(group: RevisionGroup, to: RollbackTo, options: Pick<RollbackOptions, "runKey" | "cluster">, deps: RollbackDeps): Promise<GroupChoice> {
  const { runKey } = options;
  const lister = new RevisionLister(deps.aws, group.current.family, "ACTIVE", deps.signal);
  const [current, first] = await Promise.all([describeRevision(deps.aws, group.currentArn, deps.signal), firstReads(group, to, lister, deps)]);
  if (current && runKey !== undefined && rolledBackByRun(current.tags, runKey)) return { group, decision: { status: "found", target: current }, known: [current], unread: [], rolledBackByRun: true };
  // The services' environment: the one their revision records, else the cluster's name (release's default).
  const placed = { ...group, environment: (current && environmentOf(current)) ?? clusterName(options.cluster) };
  const choice = await chooseTarget(placed, to, lister, first, deps);
  const known = current && !choice.known.some((r) => r.arn === current.arn) ? [...choice.known, current] : choice.known;
  return { group: placed, ...choice, known, rolledBackByRun: false };
}

/**
 * A revision DescribeTaskDefinition does not show may still be listed as INACTIVE: ECS describes an
 * INACTIVE revision only while a task or service uses it (undescribedInactive). Read only when the
 * revision asked for was not found, so that `--to` says it is INACTIVE rather than that it does not exist.
 */
async function listedInactive(family: string, revision: number, deps: RollbackDeps): Promise<RevisionRecord | undefined> {
  const arns = await listRevisionArns(deps.aws, family, 1000, "INACTIVE", deps.signal);
  const arn = arns.find((candidate) => { const name = parseRevisionName(candidate); return name?.family === family && name.revision === revision; });
  return arn === undefined ? undefined : undescribedInactiveRecord(deps.aws, arn, deps.signal);
}

/** How many revisions just below the running one `previous` reads by number beside the listing: the first window. */
const FIRST_WINDOW = 2;

/**
 * The first reads of a choice, all at once: a number or name, that one revision; `previous` and
 * `sha:`, the first ListTaskDefinitions page (ACTIVE, newest first); `previous` also the two
 * revisions just below the running one, by number (DescribeTaskDefinition takes `family:revision`),
 * kept when ACTIVE — the ones the listing would name first below it.
 */
async function firstReads(group: RevisionGroup, to: RollbackTo, lister: RevisionLister, deps: RollbackDeps): Promise<{ listed: string[]; known: RevisionRecord[] }> {
  const family = group.current.family;
  if (to.kind === "revision" || to.kind === "name") {
    const record = to.kind === "name" && to.family !== family ? undefined : ((await describeRevision(deps.aws, `${family}:${to.revision}`, deps.signal)) ?? (await listedInactive(family, to.revision, deps)));
    return { listed: [], known: record ? [record] : [] };
  }
  const below = to.kind === "previous" ? Array.from({ length: FIRST_WINDOW }, (_, i) => group.current.revision - 1 - i).filter((r) => r >= 1) : [];
  const [listed, guessed] = await Promise.all([lister.next(20), describeRevisions(deps.aws, below.map((r) => `${family}:${r}`), { concurrency: FIRST_WINDOW, signal: deps.signal })]);
  return { listed, known: guessed.filter((r) => r.status === "ACTIVE") };
}

/**
 * Reads revisions until the pure rule decides. A number or name: that one revision (read first).
 * `previous` and `sha:`: ACTIVE revisions newest first (one ListTaskDefinitions page), described a
 * window at a time (2, 4, 8 concurrently) after those read first: the target is usually one or two
 * revisions back. Returns the decision, the revisions read, and the ARNs listed but not read (newer
 * than the current one).
 */
async function chooseTarget(group: RevisionGroup, to: RollbackTo, lister: RevisionLister, first: { listed: string[]; known: RevisionRecord[] }, deps: RollbackDeps): Promise<Pick<GroupChoice, "decision" | "known" | "unread">> {
  const select = (known: readonly RevisionRecord[], exhausted: boolean) => selectRollbackTarget({ to, current: group.current, revisions: known, exhausted, environment: group.environment });
  if (to.kind === "revision" || to.kind === "name") return { decision: select(first.known, true), known: first.known, unread: [] };
  const known: RevisionRecord[] = [...first.known];
  const unread: string[] = [];
  const pending: string[] = [];
  const take = (arns: readonly string[]): void => {
    for (const arn of arns) {
      if (known.some((r) => r.arn === arn)) continue;
      // `previous` only looks below the current revision; newer ones are read after the update.
      if (to.kind === "previous" && (parseRevisionName(arn)?.revision ?? 0) >= group.current.revision) unread.push(arn);
      else pending.push(arn);
    }
  };
  take(first.listed);
  for (let window = FIRST_WINDOW, read = known.length; ; window = Math.min(8, window * 2)) {
    const decision = select(known, pending.length === 0 && (lister.exhausted || read >= SCAN_BUDGET));
    if (decision.status !== "need-more") return { decision, known, unread: [...unread, ...pending] };
    while (pending.length < window && !lister.exhausted) take(await lister.next(20));
    const batch = pending.splice(0, window);
    known.push(...(await describeRevisions(deps.aws, batch, { concurrency: window, signal: deps.signal })));
    read += batch.length;
  }
}

/** The moves with every ACTIVE revision newer than their target read (with tags): the candidates for deregistration. */
async function withNewerRevisions(moving: readonly RollbackMove[], deps: RollbackDeps): Promise<RollbackMove[]> {
  return Promise.all(moving.map(async (move) => ({ ...move, known: [...move.known, ...(await readNewerThan(move, deps))] })));
}

/** Reads the ACTIVE revisions newer than the move's target not read yet, and the current one. */
async function readNewerThan({ group, target, known, unread }: RollbackMove, deps: RollbackDeps): Promise<RevisionRecord[]> {
  const knownArns = new Set(known.map((r) => r.arn));
  const newer = (arn: string): boolean => !knownArns.has(arn) && (parseRevisionName(arn)?.revision ?? 0) > target.revision;
  // Chosen by number or name (nothing listed yet): list newest first down to the target.
  const arns = known.length === 0 || unread.length === 0 ? await listDownTo(group.current.family, target.revision, deps) : unread;
  const read = await describeRevisions(deps.aws, arns.filter(newer), { signal: deps.signal });
  if (knownArns.has(group.currentArn) || read.some((r) => r.arn === group.currentArn)) return read;
  const current = await describeRevision(deps.aws, group.currentArn, deps.signal);
  return current ? [...read, current] : read;
}

/** A family's ACTIVE revision ARNs, newest first, listed a page at a time until one at or below `revision`. */
async function listDownTo(family: string, revision: number, deps: RollbackDeps): Promise<string[]> {
  const lister = new RevisionLister(deps.aws, family, "ACTIVE", deps.signal);
  const listed: string[] = [];
  while (!lister.exhausted) {
    const page = await lister.next(50);
    listed.push(...page);
    if (page.length === 0 || page.some((arn) => (parseRevisionName(arn)?.revision ?? 0) <= revision)) break;
  }
  return listed;
}

/**
 * Before anything is written: every image of each target that lives in this account's ECR must
 * still be there (a lifecycle policy may have expired it; see ecrImageExists in aws/ecr.ts). A missing
 * one is exit 2 naming the image and the next older target whose images are all there. Returns the
 * images that could not be checked (other registries, accounts or regions).
 */
async function checkTargetImages(moving: readonly RollbackMove[], to: RollbackTo, deps: RollbackDeps): Promise<string[]> {
  const exists = imageLookup(deps);
  const checked = await Promise.all(
    moving.map(async ({ group, target, known }) => {
      const { missing, unchecked } = await missingImages(target, exists);
      if (missing.length === 0) return { unchecked, problem: undefined };
      const next = await findUsableTarget(group, target, known, exists, deps);
      const instead = next
        ? `the next usable target is ${describeRevisionLine(next)}: ecs-release rollback --to ${formatRevisionName(next)}`
        : "no older ACTIVE revision has all its images in ECR: release a commit again (ecs-release release --sha …)";
      return { unchecked, problem: `${serviceNames(group)} (on ${formatRevisionName(group.current)}): ${formatRevisionName(target)} runs ${missing.join(", ")}, no longer in ECR (an ECR lifecycle policy may have expired it); ${instead}` };
    }),
  );
  const problems = checked.flatMap((c) => (c.problem === undefined ? [] : [c.problem]));
  if (problems.length > 0) throw new ValidationError(`rollback --to ${formatRollbackTo(to)}: ${problems.join("; ")}`, { problems });
  return [...new Set(checked.flatMap((c) => c.unchecked))];
}

/**
 * Before anything is written: the Secrets Manager versions each target references
 * (--secure-strings secretsmanager) must still exist. Secrets Manager removes unlabelled versions
 * past 100 (https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html), and
 * ECS cannot start a task whose version is gone: such a target is refused like one whose image is.
 */
async function checkTargetSecrets(moving: readonly RollbackMove[], to: RollbackTo, deps: RollbackDeps): Promise<void> {
  // Every secret's listing at once (one round trip, beside the images'), each secret once.
  const pins = moving.flatMap(({ group, target }) => Object.entries(target.secretVersions ?? {}).map(([secretArn, pinned]) => ({ group, target, secretArn, pinned })));
  const secrets = [...new Set(pins.map((pin) => pin.secretArn))];
  const listed = await Promise.allSettled(secrets.map((secretArn) => secretVersionIds(deps.aws, secretArn, deps.signal)));
  const versions = new Map(secrets.map((secretArn, i) => [secretArn, listed[i]]));
  const problems: string[] = [];
  for (const { group, target, secretArn, pinned } of pins) {
    // A listing that failed fails the check, the first target's first (as when they were read in turn).
    const outcome = versions.get(secretArn);
    if (outcome?.status === "rejected") throw outcome.reason;
    const have = outcome?.value ?? new Set<string>();
    const gone = pinned.filter((id) => !have.has(id));
    if (gone.length > 0) problems.push(`${serviceNames(group)} (on ${formatRevisionName(group.current)}): ${formatRevisionName(target)} references ${plural(gone.length, "version")} of ${secretArn} that Secrets Manager no longer has (${gone.join(", ")}; it removes unlabelled versions past 100): its tasks could not start. Roll back to a newer revision, or release a commit again (ecs-release release --sha …)`);
  }
  if (problems.length > 0) throw new ValidationError(`rollback --to ${formatRollbackTo(to)}: ${problems.join("; ")}`, { problems });
}

/** One DescribeImages per distinct image, remembered for the run. */
function imageLookup(deps: RollbackDeps): (image: EcrImageRef) => Promise<boolean> {
  const cache = new Map<string, Promise<boolean>>();
  return (image) => {
    const key = `${image.registryId}/${image.repository}/${JSON.stringify(image.imageId)}`;
    const known = cache.get(key) ?? ecrImageExists(deps.aws, image, deps.signal);
    cache.set(key, known);
    return known;
  };
}

/** The revision's images in this account's ECR that are missing there, and the images that cannot be checked. */
async function missingImages(record: RevisionRecord, exists: (image: EcrImageRef) => Promise<boolean>): Promise<{ missing: string[]; unchecked: readonly string[] }> {
  const where = arnAccountAndRegion(record.arn);
  const images = record.images ?? (record.image ? [record.image] : []);
  const split = where ? imagesToCheck(images, where) : { checkable: [], unchecked: images };
  const present = await Promise.all(split.checkable.map((image) => exists(image)));
  return { missing: split.checkable.filter((_, i) => !present[i]).map((image) => image.uri), unchecked: split.unchecked };
}

/**
 * The target `rollback previous` would choose from `from`, then from that one, … until one has all
 * its images in ECR (bounded by SCAN_BUDGET revisions read); undefined when none has.
 */
async function findUsableTarget(group: RevisionGroup, from: RevisionRecord, read: readonly RevisionRecord[], exists: (image: EcrImageRef) => Promise<boolean>, deps: RollbackDeps): Promise<RevisionRecord | undefined> {
  const lister = new RevisionLister(deps.aws, group.current.family, "ACTIVE", deps.signal);
  const known = new Map(read.map((r) => [r.arn, r]));
  for (let below = from, count = 0; ; ) {
    const decision = selectRollbackTarget({ to: { kind: "previous" }, current: below, revisions: [...known.values()], exhausted: lister.exhausted || count >= SCAN_BUDGET, environment: group.environment });
    if (decision.status === "none") return undefined;
    if (decision.status === "found") {
      if ((await missingImages(decision.target, exists)).missing.length === 0) return decision.target;
      below = decision.target;
      continue;
    }
    const arns = (await lister.next(10)).filter((arn) => !known.has(arn) && (parseRevisionName(arn)?.revision ?? 0) < below.revision);
    for (const record of await describeRevisions(deps.aws, arns, { signal: deps.signal })) known.set(record.arn, record);
    count += arns.length;
  }
}

/** Records the run on each target whose services were all updated (TAG.rollbackRun); a tag that cannot be written is a warning. */
async function recordRun(moving: readonly RollbackMove[], updated: readonly StartedDeployment[], runKey: string | undefined, deps: RollbackDeps): Promise<void> {
  if (runKey === undefined) return;
  const names = new Set(updated.map((u) => u.service));
  const arns = new Set(moving.filter((m) => m.group.services.every((s) => names.has(s.serviceName ?? ""))).map((m) => m.target.arn));
  await Promise.all(
    [...arns].map(async (arn) => {
      try {
        await tagResource(deps.aws, arn, { [TAG.rollbackRun]: runKey });
      } catch (error) {
        deps.log.warn(`could not record this rollback on ${shortName(arn)} (a re-run would roll back again): ${error instanceof Error ? error.message : String(error)}`);
      }
    }),
  );
}

/** The line of a re-run: which services this run's rollback already moved, and whether their rollouts are done. */
function alreadyRolledBackLine(moves: readonly RollbackMove[], runKey: string): string {
  const services = moves.flatMap((m) => m.group.services);
  const primary = (s: Service) => s.deployments?.find((d) => d.status === "PRIMARY");
  const unsettled = services.filter((s) => primary(s)?.rolloutState !== undefined && primary(s)?.rolloutState !== "COMPLETED");
  const state = unsettled.length > 0 ? `; the rollout of ${unsettled.map((s) => `${s.serviceName} is ${primary(s)?.rolloutState}`).join(", ")} (follow with ecs-release status)` : "";
  return `already rolled back by this ${runKey} (a re-run changes nothing): ${moves.map((m) => `${serviceNames(m.group)} on ${formatRevisionName(m.group.current)}`).join(", ")}${state}`;
}

function ref(record: RevisionRecord): RevisionRef {
  return { arn: record.arn, revision: formatRevisionName(record), sha: shaOf(record), outcome: outcomeOf(record) };
}

function describeRevisionLine(record: RevisionRecord): string {
  const sha = shaOf(record);
  return `${formatRevisionName(record)}${sha ? ` (commit ${sha.slice(0, 12)}, ${outcomeOf(record)})` : ` (${outcomeOf(record)})`}`;
}

function shortName(arn: string): string {
  const name = parseRevisionName(arn);
  return name ? formatRevisionName(name) : arn;
}

function list(records: readonly RevisionRecord[]): string {
  return records.length === 0 ? "nothing" : records.map((r) => `${formatRevisionName(r)} (${outcomeOf(r)})`).join(", ");
}

function spareText(spared: readonly SparedRef[]): string {
  return spared.length === 0 ? "" : `; sparing ${spared.map((s) => `${s.revision} (${s.reason})`).join(", ")}`;
}
