import { splitCommandLine } from "../../core/command-line.js";
import { read, type CliContext, type CommandOutcome, type CommandSpec } from "../command.js";
import { CLUSTER, POLL_INTERVAL, TIMEOUT } from "./shared-flags.js";

/** `ecs-release run-task`: a one-off task, e.g. a database migration. */
export const runTaskCommand: CommandSpec = {
  name: "run-task",
  summary: "run a one-off task from a revision (migrations) and wait for its exit code",
  description:
    "Runs one task from a task definition revision (started by \"ecs-release\"), optionally overriding one container's command and copying the network configuration, launch type or capacity provider strategy, platform version and placement of a service, waits until it is STOPPED, and exits 1 with the container's exit code and the stopped reason when that is not 0, or 4 at the deadline (the task is left running). --command is split into arguments like a POSIX shell splits words (quotes and backslashes), but nothing is expanded and no shell runs it: for pipes, && or $VARIABLES use --command 'sh -c \"…\"'.",
  examples: [
    'ecs-release run-task --cluster prod --task-definition web --container app --command "python manage.py migrate" --like-service web',
    "ecs-release run-task --cluster prod --task-definition web:42 --like-service web --command 'sh -c \"bin/migrate && bin/seed\"' --timeout 15m",
  ],
  flags: [
    CLUSTER,
    { name: "task-definition", type: "string", placeholder: "FAMILY[:REV]", required: true, description: "task definition to run: family (latest ACTIVE revision), family:revision or ARN" },
    { name: "container", type: "string", placeholder: "NAME", description: "container that gets --command and whose exit code decides (default: the only essential container)" },
    { name: "command", type: "string", placeholder: "COMMAND", description: "command to run in the container: split like a shell (quotes, backslashes), nothing expanded, no shell" },
    { name: "like-service", type: "string", placeholder: "SERVICE", description: "copy this service's network configuration, launch type or capacity providers, platform version and placement" },
    { ...TIMEOUT, default: "30m", description: "how long to wait for the task to stop" },
    { ...POLL_INTERVAL, description: "time between DescribeTasks polls" },
  ],
  execute: executeRunTask,
};

async function executeRunTask(ctx: CliContext): Promise<CommandOutcome> {
  const { flags } = ctx;
  const commandText = read.string(flags, "command");
  const container = read.string(flags, "container");
  const likeService = read.string(flags, "like-service");
  const options = {
    cluster: read.string(flags, "cluster") as string,
    taskDefinition: read.string(flags, "task-definition") as string,
    timeoutMs: read.number(flags, "timeout") ?? 30 * 60_000,
    pollIntervalMs: read.number(flags, "poll-interval") ?? 6_000,
    ...(commandText !== undefined ? { command: splitCommandLine(commandText, "--command") } : {}),
    ...(container !== undefined ? { container } : {}),
    ...(likeService !== undefined ? { likeService } : {}),
  };
  const { run } = await import("../../commands/run-task.js");
  const result = await run(options, { aws: await ctx.aws(), log: ctx.log, clock: ctx.clock, signal: ctx.signal });
  return { result };
}
