import { parseSkipChecks } from "../../core/preflight.js";
import { readReleaseMetadata } from "../../core/release-metadata.js";
import { defineCommand, type CliContext, type CommandOutcome } from "../command.js";
import { VERIFY_FLAGS } from "../flag-definitions.js";
import { renderOptions } from "./release.js";

/** `ecs-release verify`: release's checks and the pre-flight, nothing written. */
export const verifyCommand = defineCommand({
  name: "verify",
  summary: "check what a release needs (services, image, SSM, execution role, log groups, secrets) without writing anything",
  description:
    "Runs every check release runs before it writes anything — the services, the image, the SSM environment, the rendered revisions — and the pre-flight: the execution role exists and trusts ecs-tasks.amazonaws.com, the awslogs log groups exist (or the driver creates them), the secrets references and the images exist. Exit 2 naming every problem; --skip-check turns a check off.",
  examples: [
    "ecs-release verify --cluster prod --service web --ssm-path /platform/prod --repository platform --sha 3f2c…",
    "ecs-release verify --cluster prod --service web --ssm-path /platform/prod --image nginx:1.27 --skip-check execution-role",
    "ecs-release verify --cluster shared --service web --ssm-path /platform/staging --environment staging --repository platform --sha 3f2c…",
  ],
  flags: VERIFY_FLAGS,
  execute: executeVerify,
});

async function executeVerify(ctx: CliContext<typeof VERIFY_FLAGS>): Promise<CommandOutcome> {
  const { flags } = ctx;
  const options = {
    ...renderOptions(flags, ctx.env),
    ...(flags.environment !== undefined ? { environment: flags.environment } : {}),
    dryRun: true,
    timeoutMs: 0,
    pollIntervalMs: 0,
    metadata: readReleaseMetadata(ctx.env, ctx.version),
    skipChecks: [...parseSkipChecks(flags["skip-check"])],
  } as const;
  const { run } = await import("../../commands/verify.js");
  const result = await run(options, { aws: await ctx.aws(), log: ctx.log, clock: ctx.clock, signal: ctx.signal, redactor: ctx.redactor });
  return { result };
}
