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
import type { Clock } from "../core/clock.js";
import { AwsCallError, EcsReleaseError, InterruptedError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import {
  displayTarget,
  notVisibleYetLine,
  pendingStateText,
  pollFailedLine,
  progressLine,
  serviceEventLine,
  stoppedTasksUnreadableLine,
  transitionLine,
  type RolloutReport,
  type ServiceRolloutOutcome,
} from "../core/rollout-report.js";
import {
  assessNativeRollout,
  assessRollout,
  assessStopRollback,
  currentServiceDeploymentOf,
  formatCounts,
  formatNative,
  isFailure,
  isSettled,
  isOlderViewThanSeen,
  isViewBeforeUpdate,
  nativeProgressOf,
  nativeStrategyOf,
  type RolloutTarget,
} from "../core/rollout-state.js";
import { stoppedTaskReasons } from "../core/stopped-tasks.js";
import { pollingClient, type AwsClients } from "./clients.js";
import { describeServices } from "./ecs.js";
import { describeServiceDeployments } from "./service-deployments.js";
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

/** Waits until every target's rollout has settled, the deadline passes, or `deps.signal` aborts. Never throws for a failed rollout. */
export async function waitForRollouts(options: WaitForRolloutsOptions, deps: WaitDeps): Promise<RolloutReport> {
  const start = deps.clock.now();
  const deadline = start + options.timeoutMs;
  const grace = options.visibilityGraceMs ?? VISIBILITY_GRACE_MS;
  const progressEvery = options.progressEveryMs ?? PROGRESS_EVERY_MS;
  const seen = new Set(options.knownEventIds ?? []);
  const skipBefore = options.knownEventIds === undefined ? start - 5_000 : undefined;
  // Every line printed resets the silence timer of the progress lines.
  let lastOutput = start;
  const log: Logger = {
    info: (message) => {
      lastOutput = deps.clock.now();
      deps.log.info(message);
    },
    warn: (message) => {
      lastOutput = deps.clock.now();
      deps.log.warn(message);
    },
    debug: (message) => deps.log.debug(message),
  };
  const outcomes = new Map<string, ServiceRolloutOutcome>(
    options.targets.map((t) => [
      t.service,
      // The UpdateService answer is the first view: its counts stand until DescribeServices shows our deployment.
      { service: t.service, taskDefinitionArn: t.taskDefinitionArn, deploymentId: t.deploymentId, state: "in-progress", reason: "waiting for the first poll", counts: t.updateView ? assessRollout(t.updateView, t).counts : [] },
    ]),
  );
  /** Services whose deployment a DescribeServices answer has shown (from then on, only an older view is not a verdict). */
  const visible = new Set<string>();
  const notVisibleSaid = new Set<string>();
  const lastLine = new Map<string, string>();
  /** BLUE_GREEN, LINEAR and CANARY services: our service deployment's ARN, and when BAKE_TIME was first seen. */
  const recordArns = new Map<string, string>(options.targets.flatMap((t) => (t.serviceDeploymentArn !== undefined ? [[t.service, t.serviceDeploymentArn] as const] : [])));
  const bakeSeenAt = new Map<string, number>();
  const lastNativeLine = new Map<string, string>();
  let polls = 0;
  const report = (ended: RolloutReport["ended"], error?: AwsCallError): RolloutReport => ({
    ended,
    outcomes: [...outcomes.values()],
    elapsedMs: deps.clock.now() - start,
    polls,
    ...(error !== undefined ? { error } : {}),
  });
  const progress = (): void => {
    const pending = options.targets.filter((t) => !isSettled(outcomes.get(t.service)?.state ?? "in-progress"));
    if (pending.length === 0) return;
    const now = deps.clock.now();
    const states = pending.map((t) => {
      const outcome = outcomes.get(t.service);
      const seen = bakeSeenAt.get(t.service);
      const bakeMinutes = outcome?.native?.bakeTimeInMinutes;
      return pendingStateText(t, outcome, seen !== undefined && bakeMinutes !== undefined ? bakeMinutes * 60_000 - (now - seen) : undefined);
    });
    log.info(progressLine(states, now - start, deadline - now));
  };

  /** A failed deployment says why: a few of its stopped tasks (issue 13 §3.11). Best effort. */
  const explained = async (ended: "settled" | "deadline"): Promise<RolloutReport> => {
    for (const [service, outcome] of outcomes) {
      if (!isFailure(outcome.state) || outcome.state === "superseded" || outcome.deploymentId === "") continue;
      try {
        const tasks = await stoppedTasksOfDeployment(pollingClient(deps.aws), options.cluster, outcome.deploymentId, undefined, deps.signal);
        if (tasks.length > 0) outcomes.set(service, { ...outcome, stoppedTasks: stoppedTaskReasons(tasks) });
      } catch (error) {
        log.warn(stoppedTasksUnreadableLine(service, outcome.deploymentId, error));
      }
    }
    return report(ended);
  };

  for (;;) {
    if (deps.signal.aborted) return report("interrupted");
    const pending = options.targets.filter((t) => !isSettled(outcomes.get(t.service)?.state ?? "in-progress"));
    if (pending.length === 0) return explained("settled");
    try {
      polls++;
      const { services } = await describeServices(pollingClient(deps.aws), options.cluster, pending.map((t) => t.service), deps.signal);
      // BLUE_GREEN, LINEAR and CANARY: ECS's service deployment says where they stand (stage, traffic, bake
      // time) and when they end. One DescribeServiceDeployments per poll (20 services a call).
      const wanted: string[] = [];
      for (const target of pending) {
        const snapshot = services.find((s) => s.serviceName === target.service || s.serviceArn === target.service);
        if (nativeStrategyOf(snapshot ?? target.updateView) === undefined && target.stoppedTaskDefinitionArn === undefined) continue;
        const found = currentServiceDeploymentOf(snapshot, target.deploymentId);
        if (!recordArns.has(target.service) && found !== undefined) recordArns.set(target.service, found);
        const arn = recordArns.get(target.service);
        if (arn !== undefined) wanted.push(arn);
      }
      const records = wanted.length > 0 ? await describeServiceDeployments(pollingClient(deps.aws), wanted, deps.signal) : [];
      for (const target of pending) {
        const snapshot = services.find((s) => s.serviceName === target.service || s.serviceArn === target.service);
        // Before ours was seen, a view without it may be older than the update; after, an old view may
        // still come (reads are not monotonic). Neither is a verdict within the grace.
        const older = visible.has(target.service) ? isOlderViewThanSeen(snapshot, target) : isViewBeforeUpdate(snapshot, target);
        if (target.stoppedTaskDefinitionArn === undefined && older && deps.clock.now() - start < grace) {
          // An answer older than our update (eventual consistency): not a verdict. Keep the last view.
          if (!visible.has(target.service) && !notVisibleSaid.has(target.service)) {
            notVisibleSaid.add(target.service);
            log.info(notVisibleYetLine(target.service, target.deploymentId, grace));
          }
          continue;
        }
        if (snapshot?.deployments?.some((d) => d.id === target.deploymentId)) visible.add(target.service);
        // Events: newest first from ECS; print the unseen ones oldest first.
        const fresh = (snapshot?.events ?? []).filter((e) => e.id !== undefined && !seen.has(e.id));
        for (const event of fresh.reverse()) {
          seen.add(event.id ?? "");
          if (skipBefore !== undefined && polls === 1 && (event.createdAt?.getTime() ?? 0) < skipBefore) continue;
          log.info(serviceEventLine(target.service, event.message));
        }
        const previous = outcomes.get(target.service);
        const strategy = nativeStrategyOf(snapshot);
        const record = records.find((r) => r.serviceDeploymentArn !== undefined && r.serviceDeploymentArn === recordArns.get(target.service));
        const rolling = assessRollout(snapshot, target);
        const state =
          target.stoppedTaskDefinitionArn !== undefined
            ? assessStopRollback(snapshot, record !== undefined ? nativeProgressOf(record, strategy ?? "ROLLING") : undefined, target)
            : strategy !== undefined && record !== undefined
              ? assessNativeRollout(rolling, nativeProgressOf(record, strategy), snapshot, target)
              : rolling;
        if (state.native?.stage === "BAKE_TIME" && !bakeSeenAt.has(target.service)) bakeSeenAt.set(target.service, deps.clock.now());
        const outcome: ServiceRolloutOutcome = {
          service: target.service,
          taskDefinitionArn: target.taskDefinitionArn,
          deploymentId: target.deploymentId,
          state: state.kind,
          // Once ECS has rolled back, the failed deployment is gone: keep the reason it failed for.
          reason: isFailure(state.kind) && previous !== undefined && isFailure(previous.state) ? previous.reason : state.reason,
          ...(state.fallenBackTo !== undefined ? { fallenBackTo: state.fallenBackTo } : {}),
          counts: state.counts,
          ...(state.native !== undefined ? { native: state.native } : {}),
        };
        outcomes.set(target.service, outcome);
        const line = formatCounts(target.service, state.counts);
        if (line !== lastLine.get(target.service)) {
          log.info(line);
          lastLine.set(target.service, line);
        }
        if (state.native !== undefined) {
          const bakeLeft = state.native.stage === "BAKE_TIME" && state.native.bakeTimeInMinutes !== undefined ? state.native.bakeTimeInMinutes * 60_000 - (deps.clock.now() - (bakeSeenAt.get(target.service) ?? deps.clock.now())) : undefined;
          // The stage line repeats when the stage, status, traffic or hooks change (not for the bake countdown alone).
          const shown = displayTarget(target);
          const key = formatNative(target.service, state.native, shown);
          if (key !== lastNativeLine.get(target.service)) {
            log.info(formatNative(target.service, state.native, shown, bakeLeft));
            lastNativeLine.set(target.service, key);
          }
        }
        const transition = state.kind !== previous?.state ? transitionLine(outcome) : undefined;
        if (transition !== undefined) log[transition.level](transition.text);
      }
    } catch (error) {
      if (deps.signal.aborted || error instanceof InterruptedError) return report("interrupted");
      if (!(error instanceof EcsReleaseError)) throw error;
      // No retry fixes a denied call or dead credentials: stop now and say what is known.
      if (error instanceof AwsCallError && error.code !== undefined && NON_RETRYABLE_ERROR_CODES.has(error.code)) return report("unrecoverable", error);
      // AwsCallError after the SDK's retries, or expired credentials: keep trying until the deadline.
      log.warn(pollFailedLine(error, deadline - deps.clock.now()));
    }
    if (options.targets.every((t) => isSettled(outcomes.get(t.service)?.state ?? "in-progress"))) return explained("settled");
    if (deps.clock.now() - lastOutput >= progressEvery) progress();
    const now = deps.clock.now();
    if (now >= deadline) return explained("deadline");
    // Sleep until the next poll, waking to print a progress line whenever the silence reaches progressEvery.
    const nextPoll = now + Math.min(options.pollIntervalMs, deadline - now);
    try {
      for (let at = now; at < nextPoll; at = deps.clock.now()) {
        await deps.clock.sleep(Math.max(1, Math.min(nextPoll, lastOutput + progressEvery) - at), deps.signal);
        if (deps.clock.now() < nextPoll && deps.clock.now() - lastOutput >= progressEvery) progress();
      }
    } catch {
      if (deps.signal.aborted) return report("interrupted");
      throw new Error("the clock failed to sleep");
    }
  }
}

