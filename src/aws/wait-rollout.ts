/**
 * Waits for ECS rollouts to their real end (cli.md, release step 5; reused by rollback).
 *
 * One loop for every service: each poll is one DescribeServices call per 10 services. For each
 * service it follows the deployment id our UpdateService created (see core/rollout-state.ts),
 * prints the service events it has not printed yet (by event id, oldest first) and the
 * per-deployment counts (old and new side by side) when they change. It keeps its own deadline.
 * A failed poll (an AWS error after the SDK's retries) is logged and the loop goes on until the
 * deadline. Failures are returned, not thrown: the caller decides (see rolloutReportError in
 * core/rollout-report.ts, which also words every line this loop logs).
 *
 * Poll interval: the default of 6s (src/cli/flag-definitions.ts) is a trade between latency and the ECS API's
 * request throttling. ECS throttles per account and Region with token buckets shared by everything
 * in the account (the console, other pipelines, autoscalers, other deploy tools), and a throttled
 * DescribeServices there would slow *their* calls too. The service-read bucket (DescribeServices,
 * ListServices) refills at 20 requests/s sustained per account and Region (ECS API reference,
 * "Request throttling"). At 6s a release makes 1/6 call/s per 10 services — 1/120 of that rate — so
 * about a hundred releases could wait at once before this alone reached it. Backoff: a throttled or
 * failed poll is retried by the SDK (adaptive mode: exponential backoff with jitter, and a client-side
 * token bucket that lowers our request rate while ECS throttles; see clients.ts), and a poll that still
 * fails only costs one interval. Meanwhile a rollout (health checks, deregistration delay) takes
 * minutes, so 6s adds little to how soon we notice the end. The SDK waiter for services-stable polls every 15s;
 * we poll faster because we report failures (circuit breaker) on the first poll after ECS does.
 */
import type { Service, ServiceDeployment } from "@aws-sdk/client-ecs";
import type { Clock } from "../core/clock.js";
import { AwsCallError, EcsReleaseError, InterruptedError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import {
  displayTarget,
  notVisibleYetLine,
  pausedLine,
  saysNotVisibleYet,
  pendingStateText,
  pollFailedLine,
  progressLine,
  serviceEventLine,
  stoppedTasksUnreadableLine,
  transitionLine,
  type RolloutReport,
  type ServiceRolloutOutcome,
} from "../core/rollout-report.js";
import { assessRollout, awaitingPause, formatCounts, formatNative, isFailure, isOlderViewThanSeen, isSettled, isViewBeforeUpdate, nativeProgressOf, nativeStrategyOf, type RolloutTarget } from "../core/rollout-state.js";
import {
  afterSearch,
  assessTarget,
  bakeLeftMs,
  freshEvents,
  initialRecord,
  needsRecordSearch,
  nextOutcome,
  ownServiceDeployment,
  replacedRecordLine,
  unknownRevisions,
  updateCreatedAt,
  type FollowedRecord,
} from "../core/rollout-wait.js";
import { SAME_UPDATE_MS } from "../core/service-view.js";
import { stoppedTaskReasons } from "../core/stopped-tasks.js";
import { pollingClient, type AwsClients } from "./clients.js";
import { describeServices } from "./ecs.js";
import { describeServiceDeployments, describeServiceRevisions, listServiceDeployments } from "./service-deployments.js";
import { stoppedTasksOfDeployment } from "./stopped-tasks.js";

/** What to wait for. */
export interface WaitForRolloutsOptions {
  readonly cluster: string;
  readonly targets: readonly RolloutTarget[];
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
  /** Service event ids seen before the update (not printed again). Without them, events older than the wait are skipped. */
  readonly knownEventIds?: Iterable<string>;
  /**
   * How long a DescribeServices view without our deployment (or still on the old revision) counts as
   * "not visible yet" rather than "gone", until our deployment has been seen once. Default
   * {@link VISIBILITY_GRACE_MS}.
   */
  readonly visibilityGraceMs?: number;
  /** Longest silence before a progress line repeats the state; default {@link PROGRESS_EVERY_MS}. */
  readonly progressEveryMs?: number;
  /** Stop waiting for a service whose deployment waits at a PAUSE lifecycle hook (its state is then `paused`). */
  readonly untilPaused?: boolean;
}

/**
 * ECS is eventually consistent (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html:
 * a command's result "might not be immediately visible to all subsequent commands"); AWS's guidance for
 * such reads is to retry "starting with a couple of seconds of wait time, and increasing gradually up
 * to a few minutes" (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html). Two
 * minutes covers that while a deployment that really vanished is still reported long before --timeout.
 */
export const VISIBILITY_GRACE_MS = 120_000;

/**
 * A waiting command prints at least this often, even when nothing changes, so CircleCI's
 * no_output_timeout ("Elapsed time a command can run without output",
 * https://circleci.com/docs/configuration-reference/#run) never kills a healthy wait: under a minute.
 */
export const PROGRESS_EVERY_MS = 55_000;

/**
 * AWS errors that no retry can fix: the caller lacks permission, or its credentials are expired or
 * unknown (AWS's common errors: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/CommonErrors.html).
 * A wait that meets one stops at once (exit 3) instead of polling until the deadline.
 */
export const NON_RETRYABLE_ERROR_CODES: ReadonlySet<string> = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "ExpiredToken",
  "ExpiredTokenException",
  "UnrecognizedClientException",
  "InvalidClientTokenId",
]);

/** What the wait needs. */
export interface WaitDeps {
  /** The polls use `ecsPoll` when given (pollingClient), else `ecs`. */
  readonly aws: Pick<AwsClients, "ecs"> & Partial<Pick<AwsClients, "region" | "ecsPoll">>;
  readonly log: Logger;
  readonly clock: Clock;
  readonly signal: AbortSignal;
}

/** Everything one wait keeps between polls. */
interface Wait {
  readonly options: WaitForRolloutsOptions;
  readonly deps: WaitDeps;
  /** deps.log, noting when each line was printed. */
  log: Logger;
  readonly start: number;
  readonly deadline: number;
  readonly graceMs: number;
  readonly progressEveryMs: number;
  /** Every line printed resets the silence timer of the progress lines. */
  lastOutput: number;
  polls: number;
  readonly seenEvents: Set<string>;
  readonly skipBefore: number | undefined;
  readonly outcomes: Map<string, ServiceRolloutOutcome>;
  /** Services whose deployment a DescribeServices answer has shown (from then on, views are current). */
  readonly visible: Set<string>;
  readonly notVisibleSaid: Set<string>;
  readonly lastLine: Map<string, string>;
  readonly lastNativeLine: Map<string, string>;
  /** Services whose PAUSE hook (by hook id) was announced. */
  readonly pausesSaid: Set<string>;
  /** BLUE_GREEN, LINEAR and CANARY services (and rollback's stopped deployments): the service deployment followed. */
  readonly records: Map<string, FollowedRecord>;
  /** Service revision ARN → task definition, as read. */
  readonly taskDefinitionOf: Map<string, string>;
  readonly bakeSeenAt: Map<string, number>;
}

/** Waits until every target's rollout has settled, the deadline passes, or `deps.signal` aborts. Never throws for a failed rollout. */
export async function waitForRollouts(options: WaitForRolloutsOptions, deps: WaitDeps): Promise<RolloutReport> {
  const wait = startWait(options, deps);
  for (;;) {
    if (deps.signal.aborted) return report(wait, "interrupted");
    const pending = pendingTargets(wait);
    if (pending.length === 0) return explained(wait, "settled");
    const stop = await poll(wait, pending);
    if (stop !== undefined) return stop;
    if (pendingTargets(wait).length === 0) return explained(wait, "settled");
    if (deps.clock.now() - wait.lastOutput >= wait.progressEveryMs) progress(wait);
    if (deps.clock.now() >= wait.deadline) return explained(wait, "deadline");
    if (!(await sleepUntilNextPoll(wait))) return report(wait, "interrupted");
  }
}

/** The wait's state before the first poll: the UpdateService answer is the first view (its counts stand until DescribeServices shows our deployment). */
function startWait(options: WaitForRolloutsOptions, deps: WaitDeps): Wait {
  const start = deps.clock.now();
  const wait: Wait = {
    options,
    deps,
    log: deps.log,
    start,
    deadline: start + options.timeoutMs,
    graceMs: options.visibilityGraceMs ?? VISIBILITY_GRACE_MS,
    progressEveryMs: options.progressEveryMs ?? PROGRESS_EVERY_MS,
    lastOutput: start,
    polls: 0,
    seenEvents: new Set(options.knownEventIds ?? []),
    skipBefore: options.knownEventIds === undefined ? start - 5_000 : undefined,
    outcomes: new Map(options.targets.map((t) => [t.service, { service: t.service, taskDefinitionArn: t.taskDefinitionArn, deploymentId: t.deploymentId, state: "in-progress", reason: "waiting for the first poll", counts: t.updateView ? assessRollout(t.updateView, t).counts : [] }])),
    visible: new Set(),
    notVisibleSaid: new Set(),
    lastLine: new Map(),
    lastNativeLine: new Map(),
    pausesSaid: new Set(),
    records: new Map(options.targets.flatMap((t) => {
      const record = initialRecord(t);
      return record !== undefined ? [[t.service, record] as const] : [];
    })),
    taskDefinitionOf: new Map(),
    bakeSeenAt: new Map(),
  };
  const say = (level: "info" | "warn") => (message: string): void => {
    wait.lastOutput = deps.clock.now();
    deps.log[level](message);
  };
  wait.log = { info: say("info"), warn: say("warn"), debug: (message) => deps.log.debug(message) };
  return wait;
}

function pendingTargets(wait: Wait): RolloutTarget[] {
  return wait.options.targets.filter((t) => !isSettled(wait.outcomes.get(t.service)?.state ?? "in-progress"));
}

function report(wait: Wait, ended: RolloutReport["ended"], error?: AwsCallError): RolloutReport {
  return { ended, outcomes: [...wait.outcomes.values()], elapsedMs: wait.deps.clock.now() - wait.start, polls: wait.polls, ...(error !== undefined ? { error } : {}) };
}

/** One poll: DescribeServices (one call per 10), our service deployments where they matter, then each service observed. A failed poll is logged; undefined: go on. */
async function poll(wait: Wait, pending: readonly RolloutTarget[]): Promise<RolloutReport | undefined> {
  const { deps } = wait;
  try {
    wait.polls++;
    const { services } = await describeServices(pollingClient(deps.aws), wait.options.cluster, pending.map((t) => t.service), deps.signal);
    const snapshots = new Map(pending.map((t) => [t.service, services.find((s) => s.serviceName === t.service || s.serviceArn === t.service)]));
    const records = await readRecords(wait, pending, snapshots);
    for (const target of pending) observe(wait, target, snapshots.get(target.service), records);
    return undefined;
  } catch (error) {
    if (deps.signal.aborted || error instanceof InterruptedError) return report(wait, "interrupted");
    if (!(error instanceof EcsReleaseError)) throw error;
    // No retry fixes a denied call or dead credentials: stop now and say what is known.
    if (error instanceof AwsCallError && error.code !== undefined && NON_RETRYABLE_ERROR_CODES.has(error.code)) return report(wait, "unrecoverable", error);
    // AwsCallError after the SDK's retries, or expired credentials: keep trying until the deadline.
    wait.log.warn(pollFailedLine(error, wait.deadline - deps.clock.now()));
    return undefined;
  }
}

/** True when ECS's service deployment decides this service's end: a BLUE_GREEN, LINEAR or CANARY service, or a deployment rollback stopped. */
function followsRecord(target: RolloutTarget, snapshot: Service | undefined): boolean {
  return target.stoppedTaskDefinitionArn !== undefined || nativeStrategyOf(snapshot ?? target.updateView) !== undefined;
}

/**
 * Our service deployment of each service that follows one, found (ListServiceDeployments, then the
 * candidates' revisions) where it is not known yet, then read: one DescribeServiceDeployments per 20
 * services a poll. One seen STOPPED is looked for again at once (ECS may have replaced it with a newer
 * record of the same revision) and the newer one read, so a replaced record never ends the wait.
 */
async function readRecords(wait: Wait, pending: readonly RolloutTarget[], snapshots: ReadonlyMap<string, Service | undefined>): Promise<ServiceDeployment[]> {
  const following = pending.filter((t) => followsRecord(t, snapshots.get(t.service)));
  let records: ServiceDeployment[] = [];
  for (let round = 0; round < 2; round++) {
    const searching = following.filter((t) => needsRecordSearch(wait.records.get(t.service)));
    if (round > 0 && searching.length === 0) break;
    for (const target of searching) await searchRecord(wait, target);
    const arns = following.flatMap((t) => {
      const record = wait.records.get(t.service);
      return record?.confirmed === true ? [record.arn] : [];
    });
    records = arns.length > 0 ? await describeServiceDeployments(pollingClient(wait.deps.aws), arns, wait.deps.signal) : [];
    await readRollbackRevisions(wait, records);
    for (const target of following) {
      const followed = wait.records.get(target.service);
      const record = records.find((r) => r.serviceDeploymentArn === followed?.arn);
      if (followed !== undefined && record !== undefined && record.status !== followed.status) wait.records.set(target.service, { ...followed, status: record.status ?? "" });
    }
  }
  return records;
}

/** The task definitions of the service revisions ECS's rollbacks go to (DescribeServiceRevisions, once each). */
async function readRollbackRevisions(wait: Wait, records: readonly ServiceDeployment[]): Promise<void> {
  const unknown = [...new Set(records.flatMap((r) => (r.rollback?.serviceRevisionArn !== undefined && !wait.taskDefinitionOf.has(r.rollback.serviceRevisionArn) ? [r.rollback.serviceRevisionArn] : [])))];
  if (unknown.length === 0) return;
  for (const revision of await describeServiceRevisions(pollingClient(wait.deps.aws), unknown, wait.deps.signal)) wait.taskDefinitionOf.set(revision.serviceRevisionArn ?? "", revision.taskDefinition ?? "");
}

/** Looks for our service deployment among the service's newest ones (created with our update, targeting our revision). */
async function searchRecord(wait: Wait, target: RolloutTarget): Promise<void> {
  const { deps } = wait;
  // Ours was created with our update: only the records since then are read (ECS's clock, as the update's answer dates it).
  const since = updateCreatedAt(target);
  const briefs = await listServiceDeployments(pollingClient(deps.aws), wait.options.cluster, target.service, { signal: deps.signal, ...(since !== undefined ? { createdAfter: new Date(since - SAME_UPDATE_MS) } : {}) });
  const unknown = unknownRevisions(briefs, wait.taskDefinitionOf);
  if (unknown.length > 0) for (const revision of await describeServiceRevisions(pollingClient(deps.aws), unknown, deps.signal)) wait.taskDefinitionOf.set(revision.serviceRevisionArn ?? "", revision.taskDefinition ?? "");
  const followed = wait.records.get(target.service);
  const found = ownServiceDeployment(briefs, wait.taskDefinitionOf, target);
  const next = afterSearch(followed, found);
  if (next === undefined) return;
  if (followed?.status === "STOPPED" && next.arn !== followed.arn) wait.log.info(replacedRecordLine(target.service, followed, next.arn));
  wait.records.set(target.service, next);
}

/** One service in one poll: a view older than our update is held (within the grace); else events, counts, stage and state change are printed. */
function observe(wait: Wait, target: RolloutTarget, snapshot: Service | undefined, records: readonly ServiceDeployment[]): void {
  const now = wait.deps.clock.now();
  // Before ours was seen, a view without it may be older than the update; after, an old view may still
  // come (reads are not monotonic). Neither is a verdict within the grace: keep the last view.
  const older = wait.visible.has(target.service) ? isOlderViewThanSeen(snapshot, target) : isViewBeforeUpdate(snapshot, target);
  if (target.stoppedTaskDefinitionArn === undefined && older && now - wait.start < wait.graceMs) {
    const line = notVisibleYetLine(target.service, target.deploymentId, wait.graceMs);
    if (!wait.visible.has(target.service) && !wait.notVisibleSaid.has(target.service) && saysNotVisibleYet(now - wait.start)) {
      wait.notVisibleSaid.add(target.service);
      wait.log.info(line);
    } else wait.log.debug(line);
    return;
  }
  if (snapshot?.deployments?.some((d) => d.id === target.deploymentId)) wait.visible.add(target.service);
  const events = freshEvents(snapshot?.events, wait.seenEvents, wait.polls === 1 ? wait.skipBefore : undefined);
  for (const id of events.seen) wait.seenEvents.add(id);
  for (const message of events.print) wait.log.info(serviceEventLine(target.service, message));
  const followed = wait.records.get(target.service);
  const record = followed?.confirmed === true ? records.find((r) => r.serviceDeploymentArn === followed.arn) : undefined;
  const rollbackTo = record?.rollback?.serviceRevisionArn !== undefined ? wait.taskDefinitionOf.get(record.rollback.serviceRevisionArn) : undefined;
  const progressOf = record !== undefined ? { ...nativeProgressOf(record, nativeStrategyOf(snapshot) ?? "ROLLING"), ...(rollbackTo !== undefined ? { rollbackTaskDefinition: rollbackTo } : {}) } : undefined;
  const state = assessTarget(target, snapshot, progressOf, wait.options.untilPaused === true);
  if (state.native?.stage === "BAKE_TIME" && !wait.bakeSeenAt.has(target.service)) wait.bakeSeenAt.set(target.service, now);
  const previous = wait.outcomes.get(target.service);
  const outcome = nextOutcome(target, state, previous);
  wait.outcomes.set(target.service, outcome);
  printState(wait, target, outcome, previous);
}

/** The counts line and the stage line when they change, and the line of a state change. */
function printState(wait: Wait, target: RolloutTarget, outcome: ServiceRolloutOutcome, previous: ServiceRolloutOutcome | undefined): void {
  const line = formatCounts(target.service, outcome.counts);
  if (line !== wait.lastLine.get(target.service)) {
    wait.log.info(line);
    wait.lastLine.set(target.service, line);
  }
  if (outcome.native !== undefined) {
    // The stage line repeats when the stage, status, traffic or hooks change (not for the bake countdown alone).
    const shown = displayTarget(target);
    const key = formatNative(target.service, outcome.native, shown);
    if (key !== wait.lastNativeLine.get(target.service)) {
      wait.log.info(formatNative(target.service, outcome.native, shown, bakeLeftMs(outcome.native, wait.bakeSeenAt.get(target.service), wait.deps.clock.now())));
      wait.lastNativeLine.set(target.service, key);
    }
  }
  const pause = awaitingPause(outcome.native);
  if (outcome.native !== undefined && pause !== undefined && !wait.pausesSaid.has(`${target.service} ${pause.hookId ?? ""}`)) {
    wait.pausesSaid.add(`${target.service} ${pause.hookId ?? ""}`);
    wait.log.info(pausedLine(wait.options.cluster, target.service, outcome.native, target.taskDefinitionArn));
  }
  const transition = outcome.state !== previous?.state ? transitionLine(outcome) : undefined;
  if (transition !== undefined) wait.log[transition.level](transition.text);
}

/** The progress line: every pending service's state, the time waited and left. */
function progress(wait: Wait): void {
  const pending = pendingTargets(wait);
  if (pending.length === 0) return;
  const now = wait.deps.clock.now();
  const states = pending.map((t) => {
    const outcome = wait.outcomes.get(t.service);
    return pendingStateText(t, outcome, bakeLeftMs(outcome?.native, wait.bakeSeenAt.get(t.service), now));
  });
  wait.log.info(progressLine(states, now - wait.start, wait.deadline - now));
}

/** Sleeps until the next poll, waking to print a progress line whenever the silence reaches progressEveryMs. False: interrupted. */
async function sleepUntilNextPoll(wait: Wait): Promise<boolean> {
  const { clock, signal } = wait.deps;
  const now = clock.now();
  const nextPoll = now + Math.min(wait.options.pollIntervalMs, wait.deadline - now);
  try {
    for (let at = now; at < nextPoll; at = clock.now()) {
      await clock.sleep(Math.max(1, Math.min(nextPoll, wait.lastOutput + wait.progressEveryMs) - at), signal);
      if (clock.now() < nextPoll && clock.now() - wait.lastOutput >= wait.progressEveryMs) progress(wait);
    }
    return true;
  } catch {
    if (signal.aborted) return false;
    throw new Error("the clock failed to sleep");
  }
}

/** A failed deployment says why: a few of its stopped tasks. Best effort. */
async function explained(wait: Wait, ended: "settled" | "deadline"): Promise<RolloutReport> {
  for (const [service, outcome] of wait.outcomes) {
    if (!isFailure(outcome.state) || outcome.state === "superseded" || outcome.deploymentId === "") continue;
    try {
      const tasks = await stoppedTasksOfDeployment(pollingClient(wait.deps.aws), wait.options.cluster, outcome.deploymentId, undefined, wait.deps.signal);
      if (tasks.length > 0) wait.outcomes.set(service, { ...outcome, stoppedTasks: stoppedTaskReasons(tasks) });
    } catch (error) {
      wait.log.warn(stoppedTasksUnreadableLine(service, outcome.deploymentId, error));
    }
  }
  return report(wait, ended);
}
