import { defineCommand, type CliContext, type CommandOutcome } from "../command.js";
import { PRUNE_FLAGS } from "../flag-definitions.js";

/** `ecs-release prune`: keep the revision list short. */
export const pruneCommand = defineCommand({
  name: "prune",
  summary: "deregister old revisions, sparing those in use, the rollback target and kept ones",
  description: "Deregisters ACTIVE revisions beyond the newest N of each family; never one in use by a service in any cluster of the region, never a rollback target (the newest known-good revision, and the one `rollback` would choose for each revision in use), never one tagged ecs-release:keep=true. Logs why each older revision is kept.",
  examples: ["ecs-release prune --family web --keep 20 --dry-run"],
  flags: PRUNE_FLAGS,
  writes: (flags) => !flags["dry-run"],
  execute: executePrune,
});

async function executePrune(ctx: CliContext<typeof PRUNE_FLAGS>): Promise<CommandOutcome> {
  const { flags } = ctx;
  const { cluster } = flags;
  const options = {
    families: flags.family,
    services: flags.service,
    keep: flags.keep,
    dryRun: flags["dry-run"],
    ...(cluster !== undefined ? { cluster } : {}),
  };
  const { run } = await import("../../commands/prune.js");
  const result = await run(options, { aws: await ctx.aws(), log: ctx.log, signal: ctx.signal });
  return { result };
}
