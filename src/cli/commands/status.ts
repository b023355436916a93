import { read, type CliContext, type CommandOutcome, type CommandSpec } from "../command.js";
import { CLUSTER, SERVICES } from "./shared-flags.js";

/** `ecs-release status`: what runs now. */
export const statusCommand: CommandSpec = {
  name: "status",
  summary: "show what each service runs now, deployments in flight and recent events",
  description: "Per service: the revision and commit running, desired/running/pending counts, every deployment in flight with its rollout state, the latest events, and warnings about the deployment configuration.",
  examples: ["ecs-release status --cluster prod --service web --service worker"],
  flags: [CLUSTER, SERVICES],
  execute: executeStatus,
};

async function executeStatus(ctx: CliContext): Promise<CommandOutcome> {
  const options = { cluster: read.required(ctx.flags, "cluster"), services: read.list(ctx.flags, "service") };
  const { run } = await import("../../commands/status.js");
  const { formatServiceStatus } = await import("../../core/service-status.js");
  const result = await run(options, { aws: await ctx.aws(), log: ctx.log, signal: ctx.signal });
  if (!ctx.json) ctx.print(result.services.map(formatServiceStatus).join("\n"));
  return { result };
}
