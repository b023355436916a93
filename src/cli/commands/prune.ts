import { read, type CliContext, type CommandOutcome, type CommandSpec } from "../command.js";
import { CLUSTER, DRY_RUN, optional, SERVICES } from "./shared-flags.js";

/** `ecs-release prune`: keep the revision list short. */
export const pruneCommand: CommandSpec = {
  name: "prune",
  summary: "deregister old revisions, sparing those in use, the rollback target and kept ones",
  description: "Deregisters ACTIVE revisions beyond the newest N of each family; never one in use by a service in any cluster of the region, never a rollback target (the newest known-good revision, and the one `rollback` would choose for each revision in use), never one tagged ecs-release:keep=true. Logs why each older revision is kept.",
  examples: ["ecs-release prune --family web --keep 20 --dry-run"],
  flags: [
    { name: "family", type: "list", placeholder: "FAMILY", description: "task definition family; repeatable" },
    optional(CLUSTER),
    optional(SERVICES),
    { name: "keep", type: "integer", default: "20", description: "how many of the newest revisions to keep" },
    DRY_RUN,
  ],
  execute: executePrune,
};

async function executePrune(ctx: CliContext): Promise<CommandOutcome> {
  const { flags } = ctx;
  const cluster = read.string(flags, "cluster");
  const options = {
    families: read.list(flags, "family"),
    services: read.list(flags, "service"),
    keep: read.number(flags, "keep") ?? 20,
    dryRun: read.boolean(flags, "dry-run"),
    ...(cluster !== undefined ? { cluster } : {}),
  };
  const { run } = await import("../../commands/prune.js");
  const result = await run(options, { aws: await ctx.aws(), log: ctx.log, signal: ctx.signal });
  return { result };
}
