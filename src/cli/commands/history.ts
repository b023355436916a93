import { defineCommand, type CliContext, type CommandOutcome } from "../command.js";
import { HISTORY_FLAGS } from "../flag-definitions.js";

/** `ecs-release history`: what ran when. */
export const historyCommand = defineCommand({
  name: "history",
  summary: "list a family's revisions: commit, who released it, outcome, where it runs",
  description: "Newest first: revision, ACTIVE/INACTIVE, commit SHA, when and by whom it was released, the rollout outcome, and which services run it now.",
  examples: ["ecs-release history --cluster prod --service web", "ecs-release history --family web --cluster prod --limit 50 --json", "ecs-release history --cluster prod --service web --all-environments"],
  flags: HISTORY_FLAGS,
  execute: executeHistory,
});

async function executeHistory(ctx: CliContext<typeof HISTORY_FLAGS>): Promise<CommandOutcome> {
  const { cluster, service, family, limit } = ctx.flags;
  const options = {
    limit,
    allEnvironments: ctx.flags["all-environments"],
    ...(cluster !== undefined ? { cluster } : {}),
    ...(service !== undefined ? { service } : {}),
    ...(family !== undefined ? { family } : {}),
  };
  const { run } = await import("../../commands/history.js");
  const { formatHistoryTable } = await import("../../core/history.js");
  const result = await run(options, { aws: await ctx.aws(), log: ctx.log, signal: ctx.signal });
  if (!ctx.json) ctx.print(formatHistoryTable(result.revisions));
  return { result };
}
