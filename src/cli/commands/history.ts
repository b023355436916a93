import type { CommandSpec } from "../command.js";
import { notImplemented } from "./not-implemented.js";
import { CLUSTER, optional } from "./shared-flags.js";

/** `ecs-release history`: what ran when. */
export const historyCommand: CommandSpec = {
  name: "history",
  summary: "list a family's revisions: commit, who released it, outcome, where it runs",
  description: "Newest first: revision, ACTIVE/INACTIVE, commit SHA, when and by whom it was released, the rollout outcome, and which services run it now.",
  examples: ["ecs-release history --cluster prod --service web", "ecs-release history --family web --limit 50 --json"],
  flags: [
    optional(CLUSTER),
    { name: "service", type: "string", placeholder: "SERVICE", description: "service whose family to list (with --cluster)" },
    { name: "family", type: "string", placeholder: "FAMILY", description: "task definition family to list" },
    { name: "limit", type: "integer", default: "20", description: "how many revisions to show" },
  ],
  execute: () => notImplemented("history"),
};
