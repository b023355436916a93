import type { CommandSpec } from "../command.js";
import { notImplemented } from "./not-implemented.js";
import { CLUSTER, TIMEOUT } from "./shared-flags.js";

/** `ecs-release run-task`: a one-off task, e.g. a database migration. */
export const runTaskCommand: CommandSpec = {
  name: "run-task",
  summary: "run a one-off task from a revision (migrations) and wait for its exit code",
  description: "Runs a task from a task definition revision, optionally overriding one container's command and copying the network configuration and launch type of a service, waits until it stops, and exits 1 with the stopped reason when the container's exit code is not 0.",
  examples: ['ecs-release run-task --cluster prod --task-definition web --container app --command "python manage.py migrate" --like-service web'],
  flags: [
    CLUSTER,
    { name: "task-definition", type: "string", placeholder: "FAMILY[:REV]", required: true, description: "task definition to run" },
    { name: "container", type: "string", placeholder: "NAME", description: "container whose command to override" },
    { name: "command", type: "string", placeholder: "COMMAND", description: "command to run in the container (split like a shell, no expansion)" },
    { name: "like-service", type: "string", placeholder: "SERVICE", description: "copy this service's network configuration, launch type and capacity providers" },
    { ...TIMEOUT, default: "30m", description: "how long to wait for the task to stop" },
  ],
  execute: () => notImplemented("run-task"),
};
