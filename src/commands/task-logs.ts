/**
 * What the containers said, in every failure: the last lines of each stopped task a failed rollout
 * (release, rollback) names, from its essential container's awslogs stream. Best effort: a log that
 * cannot be read is a warning, never a second failure. The lines are logged (the CLI masks every
 * known secret in them) and kept in the report, so `--json` carries them too.
 */
import type { AwsClients } from "../aws/clients.js";
import { readLastLogLines, readLogForward } from "../aws/logs.js";
import { describeRunnableTaskDefinition } from "../aws/tasks.js";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/logger.js";
import type { RolloutReport, ServiceRolloutOutcome } from "../core/rollout-report.js";
import type { StoppedTaskReason } from "../core/stopped-tasks.js";
import { LIVE_LOG_INTERVAL_MS, liveLogLine, logUnreadableLine, LOG_TAIL_LINES, logTailLines, stoppedTaskLogLocation, type TaskLogTail } from "../core/task-logs.js";

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
  return { ...outcome, stoppedTasks: await stoppedTasksWithLogs(outcome.service, outcome.taskDefinitionArn, tasks, deps, { limit }) };
}

/**
 * Stopped tasks of one revision with their log tails (logged, unless `quiet`: the caller prints them);
 * on a read that fails, a warning and the tasks as they were.
 */
export async function stoppedTasksWithLogs(service: string, taskDefinitionArn: string, tasks: readonly StoppedTaskReason[], deps: TaskLogDeps, options: { readonly limit?: number; readonly quiet?: boolean } = {}): Promise<StoppedTaskReason[]> {
  const limit = options.limit ?? LOG_TAIL_LINES;
  try {
    const { definition } = await describeRunnableTaskDefinition(deps.aws, taskDefinitionArn);
    const containers = definition.containerDefinitions ?? [];
    const out: StoppedTaskReason[] = [];
    for (const task of tasks) {
      const where = stoppedTaskLogLocation(containers, task);
      if (where === undefined || (where.region !== undefined && where.region !== deps.aws.region)) {
        out.push(task);
        continue;
      }
      const lines = (await readLastLogLines(deps.aws, where, limit, deps.signal)) ?? [];
      const logs = { container: where.container, group: where.group, stream: where.stream, lines };
      if (!options.quiet) for (const line of logTailLines(service, task.taskId, logs)) deps.log.info(line);
      out.push({ ...task, logs });
    }
    return out;
  } catch (error) {
    deps.log.warn(`${service}: ${logUnreadableLine("the logs of the stopped tasks", error)}`);
    return [...tasks];
  }
}

/** A one-off task's log, read forward while the task runs. */
export interface LiveTaskLog {
  /** Reads what is new, at most once per LIVE_LOG_INTERVAL_MS unless `final` (the read after the task stopped). */
  read(final?: boolean): Promise<void>;
  /** The last lines read (at most LOG_TAIL_LINES), for the result and the failure. */
  tail(): TaskLogTail;
}

/**
 * Pages the read after the task stopped takes at most (GetLogEvents returns up to 10,000 events or
 * 1 MB a page, and the same forward token at the end of the stream).
 */
const PAGES_PER_READ = 5;

/**
 * Follows one container's stream forward with GetLogEvents' forward token, printing each new line
 * (`[container] line`; the CLI masks every known secret in it). A stream not there yet is waited for;
 * a read that fails is a warning and the next read tries again (after three, following stops).
 */
export function followTaskLog(where: { readonly container: string; readonly group: string; readonly stream: string }, deps: TaskLogDeps & { readonly clock: Clock }): LiveTaskLog {
  let token: string | undefined;
  let readAt: number | undefined;
  let failures = 0;
  const kept: string[] = [];
  // While the task runs one page per read (the next read comes soon); after it stopped, until the end of the stream.
  const readPages = async (final: boolean): Promise<void> => {
    for (let page = 0; page < (final ? PAGES_PER_READ : 1); page += 1) {
      const answer = await readLogForward(deps.aws, where, token, deps.signal);
      if (answer === undefined) return;
      for (const message of answer.messages) {
        deps.log.info(liveLogLine(where.container, message));
        kept.push(message);
      }
      if (kept.length > LOG_TAIL_LINES) kept.splice(0, kept.length - LOG_TAIL_LINES);
      const done = answer.messages.length === 0 || answer.nextToken === token;
      token = answer.nextToken;
      if (done) return;
    }
  };
  return {
    async read(final = false) {
      const now = deps.clock.now();
      if (failures >= 3 || (!final && readAt !== undefined && now - readAt < LIVE_LOG_INTERVAL_MS)) return;
      readAt = now;
      try {
        await readPages(final);
      } catch (error) {
        failures += 1;
        deps.log.warn(logUnreadableLine(`the log of container ${where.container} (${where.group} ${where.stream})`, error, failures >= 3));
      }
    },
    tail: () => ({ ...where, lines: [...kept] }),
  };
}
