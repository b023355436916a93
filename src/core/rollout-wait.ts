/**
 * The rollout wait's decisions (aws/wait-rollout.ts polls and prints; this decides). Pure:
 * - which service deployment is ours (a record created at or after our update, targeting our
 *   revision — not whatever currentServiceDeployment names, which may be the previous, finished one:
 *   kayac/ecspresso PR #945), and when to look for it again (a STOPPED record may have been replaced
 *   by a newer one for the same revision: kayac/ecspresso#899);
 * - what one poll's view and record say (rolling, native strategy, or ECS's rollback of a stopped
 *   deployment) and the outcome it leaves;
 * - which service events are new; how long bake time has left.
 */
import type { Service, ServiceDeploymentBrief, ServiceEvent } from "@aws-sdk/client-ecs";
import type { ServiceRolloutOutcome } from "./rollout-report.js";
import { assessNativeRollout, assessRollout, assessStopRollback, awaitingPause, isFailure, nativeStrategyOf, type NativeProgress, type RolloutState, type RolloutTarget } from "./rollout-state.js";
import { SAME_UPDATE_MS } from "./service-view.js";

/** The service deployment the wait follows for one service. */
export interface FollowedRecord {
  readonly arn: string;
  /** True once it is known to be ours (created with our update, targeting our revision). */
  readonly confirmed: boolean;
  /** Its status at the last DescribeServiceDeployments. */
  readonly status?: string;
  /** A newer record was looked for after this one was seen STOPPED (so STOPPED is final). */
  readonly searchedAfterStop?: boolean;
}

/** When our update was stamped by ECS: the createdAt of our deployment in the UpdateService answer (ECS's clock, not ours). */
export function updateCreatedAt(target: RolloutTarget): number | undefined {
  return target.updateView?.deployments?.find((d) => d.id === target.deploymentId)?.createdAt?.getTime();
}

/** The record to start from: rollback's stopped deployment is ours by construction; an update's currentServiceDeployment is only a candidate. */
export function initialRecord(target: RolloutTarget): FollowedRecord | undefined {
  if (target.serviceDeploymentArn === undefined) return undefined;
  return { arn: target.serviceDeploymentArn, confirmed: target.stoppedTaskDefinitionArn !== undefined };
}

/** True when the wait must list the service's deployments (ListServiceDeployments) to find or re-find its own. */
export function needsRecordSearch(followed: FollowedRecord | undefined): boolean {
  if (followed === undefined || !followed.confirmed) return true;
  return followed.status === "STOPPED" && followed.searchedAfterStop !== true;
}

/**
 * Our service deployment among the service's newest ones: the newest created at or after our update
 * (less SAME_UPDATE_MS for the two stamps of one update) whose target revision runs our task
 * definition. Undefined when none is listed yet (the record is eventually consistent too), or when the
 * revisions of the candidates are not all known (`taskDefinitionOf` lacks them: read them first).
 */
export function ownServiceDeployment(briefs: readonly ServiceDeploymentBrief[], taskDefinitionOf: ReadonlyMap<string, string>, target: RolloutTarget): string | undefined {
  const since = updateCreatedAt(target);
  const candidates = [...briefs]
    .filter((b) => since === undefined || (b.createdAt?.getTime() ?? 0) >= since - SAME_UPDATE_MS)
    .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
  return candidates.find((b) => b.targetServiceRevisionArn !== undefined && taskDefinitionOf.get(b.targetServiceRevisionArn) === target.taskDefinitionArn)?.serviceDeploymentArn;
}

/** The target revisions of `briefs` whose task definition is not known yet (to read with DescribeServiceRevisions). */
export function unknownRevisions(briefs: readonly ServiceDeploymentBrief[], taskDefinitionOf: ReadonlyMap<string, string>): string[] {
  return [...new Set(briefs.flatMap((b) => (b.targetServiceRevisionArn !== undefined && !taskDefinitionOf.has(b.targetServiceRevisionArn) ? [b.targetServiceRevisionArn] : [])))];
}

/** The record followed after a search: the one found, or the same one (now searched, so a STOPPED is final). */
export function afterSearch(followed: FollowedRecord | undefined, found: string | undefined): FollowedRecord | undefined {
  if (found !== undefined && found !== followed?.arn) return { arn: found, confirmed: true };
  if (found !== undefined && followed !== undefined) return { ...followed, confirmed: true, searchedAfterStop: followed.status === "STOPPED" };
  return followed === undefined ? undefined : { ...followed, searchedAfterStop: followed.status === "STOPPED" };
}

/** The line when ECS replaced the record the wait followed with a newer one for the same revision. */
export function replacedRecordLine(service: string, from: FollowedRecord, to: string): string {
  return `${service}: ECS replaced service deployment ${from.arn} (${from.status ?? "unknown"}) with ${to} of the same revision; following it`;
}

/**
 * Where one service stands after a poll: ECS's rollback of a stopped deployment (rollback), a
 * BLUE_GREEN/LINEAR/CANARY deployment (its record decides once it is ours), or a rolling one (the
 * deployment id). `progress` is our record's, when one is confirmed and read.
 */
export function assessTarget(target: RolloutTarget, snapshot: Service | undefined, progress: NativeProgress | undefined, untilPaused = false): RolloutState {
  if (target.stoppedTaskDefinitionArn !== undefined) return assessStopRollback(snapshot, progress, target);
  const rolling = assessRollout(snapshot, target);
  const state = nativeStrategyOf(snapshot) !== undefined && progress !== undefined ? assessNativeRollout(rolling, progress, snapshot, target) : rolling;
  // Told to stop at a PAUSE hook: the deployment waits there for ContinueServiceDeployment; so does this wait no longer.
  const pause = awaitingPause(state.native);
  if (!untilPaused || state.kind !== "in-progress" || pause === undefined || state.native === undefined) return state;
  return { ...state, kind: "paused", reason: `paused at ${state.native.stage ?? "a lifecycle stage"} by a PAUSE hook (${pause.hookId ?? "hook"}), test traffic on the new revision` };
}

/** The outcome a poll leaves; a failure keeps the reason it first failed for (ECS's rollback replaces the failed deployment). */
export function nextOutcome(target: RolloutTarget, state: RolloutState, previous: ServiceRolloutOutcome | undefined): ServiceRolloutOutcome {
  return {
    service: target.service,
    taskDefinitionArn: target.taskDefinitionArn,
    deploymentId: target.deploymentId,
    state: state.kind,
    reason: isFailure(state.kind) && previous !== undefined && isFailure(previous.state) ? previous.reason : state.reason,
    ...(state.fallenBackTo !== undefined ? { fallenBackTo: state.fallenBackTo } : {}),
    counts: state.counts,
    ...(state.native !== undefined ? { native: state.native } : {}),
  };
}

/**
 * The service events not printed yet, oldest first (ECS lists newest first). On the first poll of a
 * wait that was not told which events came before the update, events older than `skipBefore` are
 * marked seen without printing.
 */
export function freshEvents(events: readonly ServiceEvent[] | undefined, seen: ReadonlySet<string>, skipBefore: number | undefined): { print: string[]; seen: string[] } {
  const fresh = (events ?? []).filter((e) => e.id !== undefined && !seen.has(e.id)).reverse();
  return {
    print: fresh.filter((e) => skipBefore === undefined || (e.createdAt?.getTime() ?? 0) >= skipBefore).map((e) => e.message ?? ""),
    seen: fresh.map((e) => e.id ?? ""),
  };
}

/** Bake time left, from when BAKE_TIME was first seen (ECS's record gives the minutes, not the end). */
export function bakeLeftMs(progress: NativeProgress | undefined, seenAt: number | undefined, now: number): number | undefined {
  if (progress?.stage !== "BAKE_TIME" || progress.bakeTimeInMinutes === undefined || seenAt === undefined) return undefined;
  return progress.bakeTimeInMinutes * 60_000 - (now - seenAt);
}
