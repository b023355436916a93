import { defineCommand, type CliContext, type CommandOutcome } from "../command.js";
import { STATUS_FLAGS } from "../flag-definitions.js";

/** `ecs-release status`: what runs now. */
export const statusCommand = defineCommand({
  name: "status",
  summary: "show what each service runs now, deployments in flight and recent events",
  description: "Per service: the revision and commit running, desired/running/pending counts, every deployment in flight with its rollout state, the latest events, and warnings about the deployment configuration.",
  examples: ["ecs-release status --cluster prod --service web --service worker", "ecs-release status --cluster prod --service web --stopped-tasks"],
  flags: STATUS_FLAGS,
  execute: executeStatus,
});

async function executeStatus(ctx: CliContext<typeof STATUS_FLAGS>): Promise<CommandOutcome> {
  const options = { cluster: ctx.flags.cluster, services: ctx.flags.service, stoppedTasks: ctx.flags["stopped-tasks"] };
  const { run } = await import("../../commands/status.js");
  const { formatServiceStatus } = await import("../../core/service-status.js");
  const result = await run(options, { aws: await ctx.aws(), log: ctx.log, signal: ctx.signal, clock: ctx.clock });
  if (!ctx.json) ctx.print(result.services.map(formatServiceStatus).join("\n"));
  return { result };
}
