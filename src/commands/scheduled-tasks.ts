/**
 * `--update-schedules` (release, rollback): the EventBridge rule targets and Scheduler schedules that
 * run a family's task definition follow it to the revision the command made stable. Read with the
 * other checks (a role without the reads fails before anything is written); moved once the services
 * are stable (core/scheduled-tasks.ts decides which, and words the lines).
 */
import type { AwsClients } from "../aws/clients.js";
import { listEcsRuleTargets, listEcsSchedules, pointRuleTarget, pointSchedule, type EcsRuleTarget, type EcsSchedule } from "../aws/scheduled-task-updates.js";
import type { Logger } from "../core/logger.js";
import { scheduledMoveLine, scheduledMoves, type ScheduledMove, type ScheduledTask } from "../core/scheduled-tasks.js";

/** The scheduled ECS tasks of the account and region, as read. */
export interface ScheduledTasks {
  readonly rules: readonly EcsRuleTarget[];
  readonly schedules: readonly EcsSchedule[];
}

/** What reading and moving scheduled tasks needs. */
export interface ScheduledTaskDeps {
  readonly aws: Pick<AwsClients, "events" | "scheduler">;
  readonly log: Logger;
  readonly signal: AbortSignal;
}

/** Every rule target and schedule that runs an ECS task (both services read at once). */
export async function readScheduledTasks(deps: ScheduledTaskDeps): Promise<ScheduledTasks> {
  const [rules, schedules] = await Promise.all([listEcsRuleTargets(deps.aws, deps.signal), listEcsSchedules(deps.aws, deps.signal)]);
  return { rules, schedules };
}

function tasksOf(found: ScheduledTasks): Array<ScheduledTask & { readonly point: (deps: ScheduledTaskDeps, to: string) => Promise<void> }> {
  return [
    ...found.rules.map((r) => ({
      kind: "rule" as const,
      name: `${r.rule} (target ${r.target.Id ?? "?"})`,
      taskDefinitionArn: r.target.EcsParameters?.TaskDefinitionArn ?? "",
      point: (deps: ScheduledTaskDeps, to: string) => pointRuleTarget(deps.aws, r, to),
    })),
    ...found.schedules.map((s) => ({
      kind: "schedule" as const,
      name: `${s.GroupName ?? "default"}/${s.Name ?? "?"}`,
      taskDefinitionArn: s.Target?.EcsParameters?.TaskDefinitionArn ?? "",
      point: (deps: ScheduledTaskDeps, to: string) => pointSchedule(deps.aws, s, to),
    })),
  ];
}

/** Dry run: logs what would move where (family → revision ARN, or undefined: its new revision); returns the moves. */
export function logPlannedMoves(found: ScheduledTasks, targets: ReadonlyMap<string, string | undefined>, log: Logger): ScheduledMove[] {
  const moves = scheduledMoves(tasksOf(found), targets);
  for (const move of moves) log.info(scheduledMoveLine(move, true));
  return moves;
}

/**
 * Points each scheduled task of a family in `targets` (family → revision ARN) at that revision, one
 * after the other, each said; one that cannot be moved is a warning naming it (the services are
 * stable already). Returns the moves made.
 */
export async function moveScheduledTasks(found: ScheduledTasks, targets: ReadonlyMap<string, string>, deps: ScheduledTaskDeps, warn: (message: string) => void): Promise<ScheduledMove[]> {
  const tasks = tasksOf(found);
  const moved: ScheduledMove[] = [];
  for (const move of scheduledMoves(tasks, targets)) {
    const task = tasks.find((t) => t.kind === move.kind && t.name === move.name);
    try {
      await task?.point(deps, move.to);
      deps.log.info(scheduledMoveLine(move, false));
      moved.push(move);
    } catch (error) {
      warn(`could not point ${move.kind === "rule" ? "EventBridge rule" : "schedule"} ${move.name} at ${move.to}: ${error instanceof Error ? error.message : String(error)} (it still runs ${move.from})`);
    }
  }
  return moved;
}
