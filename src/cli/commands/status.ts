import type { CommandSpec } from "../command.js";
import { notImplemented } from "./not-implemented.js";
import { CLUSTER, SERVICES } from "./shared-flags.js";

/** `ecs-release status`: what runs now. */
export const statusCommand: CommandSpec = {
  name: "status",
  summary: "show what each service runs now, deployments in flight and recent events",
  description: "Per service: the revision and commit running, desired/running/pending counts, every deployment in flight with its rollout state, the latest events, and warnings about the deployment configuration.",
  examples: ["ecs-release status --cluster prod --service web --service worker"],
  flags: [CLUSTER, SERVICES],
  execute: () => notImplemented("status"),
};
