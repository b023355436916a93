import type { CommandSpec } from "../command.js";
import { notImplemented } from "./not-implemented.js";
import { CLUSTER, DRY_RUN, NO_WAIT, POLL_INTERVAL, SERVICES, TIMEOUT } from "./shared-flags.js";

/** `ecs-release rollback`: point services at a known-good revision. */
export const rollbackCommand: CommandSpec = {
  name: "rollback",
  summary: "point services at a known-good existing revision at once (panic rollback)",
  description:
    "Updates the services to an existing revision — by default the newest older one whose rollout was recorded as stable — which also brings back its environment. After every service is stable, deregisters the revisions rolled back from, unless --keep-bad.",
  examples: ["ecs-release rollback --cluster prod --service web --service worker", "ecs-release rollback --cluster prod --service web --to sha:3f2c…"],
  flags: [
    CLUSTER,
    SERVICES,
    { name: "to", type: "string", placeholder: "TARGET", default: "previous", description: "previous | REVISION | FAMILY:REVISION | ARN | sha:SHA" },
    { name: "keep-bad", type: "boolean", description: "do not deregister the revisions rolled back from" },
    DRY_RUN,
    NO_WAIT,
    TIMEOUT,
    POLL_INTERVAL,
  ],
  execute: () => notImplemented("rollback"),
};
