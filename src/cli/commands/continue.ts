import { defineCommand, type CliContext, type CommandOutcome } from "../command.js";
import { CONTINUE_FLAGS } from "../flag-definitions.js";

/** `ecs-release continue`: go on with (or roll back) deployments paused at a PAUSE lifecycle hook. */
export const continueCommand = defineCommand({
  name: "continue",
  summary: "continue or roll back deployments paused at a PAUSE lifecycle hook",
  description:
    "For BLUE_GREEN, LINEAR and CANARY services whose deployment waits at a PAUSE lifecycle hook (release --until-paused stops there): ContinueServiceDeployment with CONTINUE (the next stage: production traffic) or ROLLBACK (back to the previous revision), then waits to the end and records the new revision's outcome. Refuses (exit 2, nothing written) a service whose newest service deployment is not paused.",
  examples: ["ecs-release continue --cluster prod --service web", "ecs-release continue --cluster prod --service web --action rollback"],
  flags: CONTINUE_FLAGS,
  execute: executeContinue,
});

async function executeContinue(ctx: CliContext<typeof CONTINUE_FLAGS>): Promise<CommandOutcome> {
  const { flags } = ctx;
  const options = { cluster: flags.cluster, services: flags.service, action: flags.action === "rollback" ? ("rollback" as const) : ("continue" as const), wait: !flags["no-wait"], timeoutMs: flags.timeout, pollIntervalMs: flags["poll-interval"] };
  const { run } = await import("../../commands/continue.js");
  const result = await run(options, { aws: await ctx.aws(), log: ctx.log, clock: ctx.clock, signal: ctx.signal });
  return { result };
}
