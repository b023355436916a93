import { defineCommand, type CliContext, type CommandOutcome } from "../command.js";
import { connectionsAhead, rollbackRunKey } from "../../core/rollback-plan.js";
import { ROLLBACK_FLAGS } from "../flag-definitions.js";
import type { EarlyRead } from "../../aws/early-read.js";
import { DESCRIBE_SERVICES_BATCH } from "../../core/api-limits.js";

/** `ecs-release rollback`: point services at a known-good revision. */
export const rollbackCommand = defineCommand({
  name: "rollback",
  summary: "point services at a known-good existing revision at once (panic rollback)",
  description:
    "Updates the services to an existing revision — by default the newest older one whose rollout was recorded as stable — which also brings back its environment. A service whose deployment is still in flight (ECS's service deployment PENDING or IN_PROGRESS, its rollback landing on that target) is stopped with StopServiceDeployment ROLLBACK instead, and ECS's rollback followed to the end; the choice is printed, --dry-run included. Refuses, before anything is written, CODE_DEPLOY and EXTERNAL services and a target whose images in this account's ECR are gone (naming the next usable one). After every service is stable, deregisters the revisions rolled back from, unless --keep-bad — never one a service in any cluster of the region runs. In CircleCI, a re-run of the same pipeline's rollback changes nothing.",
  examples: ["ecs-release rollback --cluster prod --service web --service worker", "ecs-release rollback --cluster prod --service web --to sha:3f2c9e1 --dry-run", "ecs-release rollback --cluster prod --service web --to web:41 --keep-bad"],
  flags: ROLLBACK_FLAGS,
  writes: (flags) => !flags["dry-run"],
  execute: executeRollback,
});

async function executeRollback(ctx: CliContext<typeof ROLLBACK_FLAGS>): Promise<CommandOutcome> {
  const { flags } = ctx;
  const options = {
    cluster: flags.cluster,
    services: flags.service,
    to: flags.to,
    keepBad: flags["keep-bad"],
    updateSchedules: flags["update-schedules"],
    dryRun: flags["dry-run"],
    wait: !flags["no-wait"],
    timeoutMs: flags.timeout,
    pollIntervalMs: flags["poll-interval"],
    runKey: rollbackRunKey(ctx.env),
  };
  const [{ parseRollbackTo }, { readEarly }] = await Promise.all([import("../../core/rollback-target.js"), import("../../aws/early-read.js")]);
  parseRollbackTo(options.to); // a bad --to is refused before the AWS SDK loads (commands/rollback.js imports it)
  // The first read (the services' DescribeServices, as aws/ecs.ts asks for the first 10) leaves before
  // the SDK loads, with keys from the environment (aws/early-read.ts); the event loop is given one turn
  // to write it before the loading, which yields none, starts.
  let early: EarlyRead | undefined;
  let sent = (): void => undefined;
  const written = new Promise<void>((resolve) => (sent = resolve));
  const first = { cluster: options.cluster, services: options.services.slice(0, DESCRIBE_SERVICES_BATCH) };
  // The AWS set-up (in CI: the token's exchange with STS) starts before the command's modules load.
  const aws = ctx.aws(async (region, configText) => {
    // With the connections for the calls after it (commands/rollback.ts, verify).
    if (first.services.length > 0) early = readEarly(ctx.env, region, "DescribeServices", first, { userAgent: `ecs-release/${ctx.version}`, ahead: connectionsAhead(options.services.length), configText, signal: ctx.signal });
    if (early !== undefined) await new Promise((resolve) => setImmediate(resolve));
    sent();
  });
  aws.then(sent, sent);
  // The command's modules load the SDK: not before the early read is written (or the set-up failed).
  await written;
  const { run } = await import("../../commands/rollback.js");
  const result = await run(options, { aws: await aws, log: ctx.log, clock: ctx.clock, signal: ctx.signal, ...(early === undefined ? {} : { early }) });
  return { result };
}
