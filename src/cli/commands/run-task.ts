import { splitCommandLine } from "../../core/command-line.js";
import { parseCapacityProviderStrategy, parseLaunchType } from "../../core/run-task-input.js";
import { defineCommand, type CliContext, type CommandOutcome } from "../command.js";
import { RUN_TASK_FLAGS } from "../flag-definitions.js";

/** `ecs-release run-task`: a one-off task, e.g. a database migration. */
export const runTaskCommand = defineCommand({
  name: "run-task",
  summary: "run a one-off task from a revision (migrations) and wait for its exit code",
  description:
    "Runs one task from a task definition revision (started by \"ecs-release\"), optionally overriding one container's command and copying the network configuration, launch type or capacity provider strategy, platform version, placement, tags and ECS Exec setting of a service, waits until it is STOPPED, and exits 0 only when the task really finished: the container exited 0, the task stopped because an essential container exited (not a Spot interruption or a stop by someone) and no other essential container failed. Otherwise 1 with the exit code and the stopped reason, or 4 at the deadline (the task is left running). A one-off task never runs on FARGATE_SPOT unless asked: a service's FARGATE_SPOT is replaced by FARGATE, saying so. --command is split into arguments like a POSIX shell splits words (quotes and backslashes), but nothing is expanded and no shell runs it: for pipes, && or $VARIABLES use --command 'sh -c \"…\"'.",
  examples: [
    'ecs-release run-task --cluster prod --task-definition web --container app --command "python manage.py migrate" --like-service web',
    "ecs-release run-task --cluster prod --task-definition web:42 --like-service web --command 'sh -c \"bin/migrate && bin/seed\"' --timeout 15m",
  ],
  flags: RUN_TASK_FLAGS,
  writes: () => true,
  execute: executeRunTask,
});

async function executeRunTask(ctx: CliContext<typeof RUN_TASK_FLAGS>): Promise<CommandOutcome> {
  const { flags } = ctx;
  const { command: commandText, container, "like-service": likeService, "launch-type": launchType, "capacity-provider-strategy": strategy } = flags;
  const options = {
    cluster: flags.cluster,
    taskDefinition: flags["task-definition"],
    timeoutMs: flags.timeout,
    pollIntervalMs: flags["poll-interval"],
    ...(commandText !== undefined ? { command: splitCommandLine(commandText, "--command") } : {}),
    ...(container !== undefined ? { container } : {}),
    ...(likeService !== undefined ? { likeService } : {}),
    ...(launchType !== undefined || strategy !== undefined
      ? {
          capacity: {
            ...(launchType !== undefined ? { launchType: parseLaunchType(launchType) } : {}),
            ...(strategy !== undefined ? { capacityProviderStrategy: parseCapacityProviderStrategy(strategy) } : {}),
          },
        }
      : {}),
    ...(flags["enable-execute-command"] ? { enableExecuteCommand: true } : {}),
  };
  const { run } = await import("../../commands/run-task.js");
  const result = await run(options, { aws: await ctx.aws(), log: ctx.log, clock: ctx.clock, signal: ctx.signal });
  return { result };
}
