import { read, type CliContext, type CommandOutcome, type CommandSpec } from "../command.js";
import { CLUSTER, optional } from "./shared-flags.js";

/** `ecs-release history`: what ran when. */
export const historyCommand: CommandSpec = {
  name: "history",
  summary: "list a family's revisions: commit, who released it, outcome, where it runs",
  description: "Newest first: revision, ACTIVE/INACTIVE, commit SHA, when and by whom it was released, the rollout outcome, and which services run it now.",
  examples: ["ecs-release history --cluster prod --service web", "ecs-release history --family web --cluster prod --limit 50 --json"],
  flags: [
    optional(CLUSTER),
    { name: "service", type: "string", placeholder: "SERVICE", description: "service whose family to list (with --cluster)" },
    { name: "family", type: "string", placeholder: "FAMILY", description: "task definition family to list" },
    { name: "limit", type: "integer", default: "20", description: "how many revisions to show" },
  ],
  execute: executeHistory,
};

async function executeHistory(ctx: CliContext): Promise<CommandOutcome> {
  const { flags } = ctx;
  const cluster = read.string(flags, "cluster");
  const service = read.string(flags, "service");
  const family = read.string(flags, "family");
  const options = {
    limit: read.number(flags, "limit") ?? 20,
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
