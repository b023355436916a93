/**
 * Scheduled tasks that follow a release or a rollback (`--update-schedules`). Pure: which EventBridge
 * rule targets and Scheduler schedules move to which revision, and the lines that say so.
 *
 * A scheduled task runs a task definition named by ARN in its EcsParameters
 * (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_EcsParameters.html,
 * https://docs.aws.amazon.com/scheduler/latest/APIReference/API_EcsParameters.html). One that names a
 * revision of a family the command just made stable is pointed at that revision; one that names the
 * family alone (no `:revision`) runs its latest ACTIVE revision already, and is left as it is.
 */
import { parseRevisionName } from "./revision-record.js";
import { revisionName } from "./rollout-state.js";

/** A scheduled task as found: an EventBridge rule's target or a Scheduler schedule. */
export interface ScheduledTask {
  readonly kind: "rule" | "schedule";
  /** `nightly-report (target 1)` for a rule target, `default/cleanup` for a schedule. */
  readonly name: string;
  readonly taskDefinitionArn: string;
}

/** One scheduled task to point at another revision (the result document's entry too). */
export interface ScheduledMove {
  readonly kind: "rule" | "schedule";
  readonly name: string;
  readonly from: string;
  readonly to: string;
}

/**
 * The moves: each task running a revision of a family in `targets` (family → the revision now
 * stable) other than that revision. `targets` values may be undefined (a dry run: not registered
 * yet); the move then says `to` = the family.
 */
export function scheduledMoves(tasks: readonly ScheduledTask[], targets: ReadonlyMap<string, string | undefined>): ScheduledMove[] {
  return tasks.flatMap((task) => {
    const named = parseRevisionName(task.taskDefinitionArn);
    if (named === undefined || !targets.has(named.family)) return [];
    const to = targets.get(named.family);
    if (to === task.taskDefinitionArn) return [];
    return [{ kind: task.kind, name: task.name, from: task.taskDefinitionArn, to: to ?? named.family }];
  });
}

/** The line for one move: done, or (dry run) what would be done. */
export function scheduledMoveLine(move: ScheduledMove, dryRun: boolean): string {
  const what = move.kind === "rule" ? `EventBridge rule ${move.name}` : `EventBridge Scheduler schedule ${move.name}`;
  const to = dryRun && !move.to.includes(":") ? `the new revision of ${move.to}` : revisionName(move.to);
  return `${dryRun ? "would point" : "pointed"} ${what} (${revisionName(move.from)}) at ${to}`;
}
