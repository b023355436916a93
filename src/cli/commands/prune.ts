import type { CommandSpec } from "../command.js";
import { notImplemented } from "./not-implemented.js";
import { CLUSTER, DRY_RUN, optional, SERVICES } from "./shared-flags.js";

/** `ecs-release prune`: keep the revision list short. */
export const pruneCommand: CommandSpec = {
  name: "prune",
  summary: "deregister old revisions, sparing those in use, the rollback target and kept ones",
  description: "Deregisters ACTIVE revisions beyond the newest N of each family; never one in use by a service, never the newest known-good one (the rollback target), never one tagged ecs-release:keep=true.",
  examples: ["ecs-release prune --family web --keep 20 --dry-run"],
  flags: [
    { name: "family", type: "list", placeholder: "FAMILY", description: "task definition family; repeatable" },
    optional(CLUSTER),
    optional(SERVICES),
    { name: "keep", type: "integer", default: "20", description: "how many of the newest revisions to keep" },
    DRY_RUN,
  ],
  execute: () => notImplemented("prune"),
};
