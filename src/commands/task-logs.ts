/**
 * What the containers said, in every failure: the last lines of each stopped task a failed rollout
 * (release, rollback) names, from its essential container's awslogs stream. Best effort: a log that
 * cannot be read is a warning, never a second failure. The lines are logged (the CLI masks every
 * known secret in them) and kept in the report, so `--json` carries them too.
 */
import type { AwsClients } from "../aws/clients.js";
import { readLastLogLines } from "../aws/logs.js";
import { describeRunnableTaskDefinition } from "../aws/tasks.js";
import type { Logger } from "../core/logger.js";
import type { RolloutReport, ServiceRolloutOutcome } from "../core/rollout-report.js";
import type { StoppedTaskReason } from "../core/stopped-tasks.js";
import { LOG_TAIL_LINES, logTailLines, stoppedTaskLogLocation } from "../core/task-logs.js";

/** What reading the logs needs. */
export interface TaskLogDeps {
  readonly aws: Pick<AwsClients, "ecs" | "logs" | "region">;
  readonly log: Logger;
  readonly signal: AbortSignal;
}

/** The report with each named stopped task's log tail added (and logged). */
export async function withStoppedTaskLogs(report: RolloutReport, deps: TaskLogDeps, limit = LOG_TAIL_LINES): Promise<RolloutReport> {
  if (!report.outcomes.some((o) => (o.stoppedTasks ?? []).length > 0)) return report;
  const outcomes: ServiceRolloutOutcome[] = [];
  for (const outcome of report.outcomes) outcomes.push(await outcomeWithLogs(outcome, deps, limit));
  return { ...report, outcomes };
}

async function outcomeWithLogs(outcome: ServiceRolloutOutcome, deps: TaskLogDeps, limit: number): Promise<ServiceRolloutOutcome> {
  const tasks = outcome.stoppedTasks ?? [];
  if (tasks.length === 0) return outcome;
  try {
    const { definition } = await describeRunnableTaskDefinition(deps.aws, outcome.taskDefinitionArn);
    const containers = definition.containerDefinitions ?? [];
    const stoppedTasks: StoppedTaskReason[] = [];
    for (const task of tasks) {
      const where = stoppedTaskLogLocation(containers, task);
      if (where === undefined || (where.region !== undefined && where.region !== deps.aws.region)) {
        stoppedTasks.push(task);
        continue;
      }
      const lines = (await readLastLogLines(deps.aws, where, limit, deps.signal)) ?? [];
      const logs = { container: where.container, group: where.group, stream: where.stream, lines };
      for (const line of logTailLines(outcome.service, task.taskId, logs)) deps.log.info(line);
      stoppedTasks.push({ ...task, logs });
    }
    return { ...outcome, stoppedTasks };
  } catch (error) {
    deps.log.warn(`${outcome.service}: could not read the logs of the stopped tasks: ${error instanceof Error ? error.message : String(error)}`);
    return outcome;
  }
}
