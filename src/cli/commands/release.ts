import { readFileSync } from "node:fs";
import { splitCommandLine } from "../../core/command-line.js";
import { ValidationError } from "../../core/errors.js";
import { readReleaseMetadata } from "../../core/release-metadata.js";
import { parseSkipChecks } from "../../core/preflight.js";
import type { SecureStringMode } from "../../core/ssm-environment.js";
import { parseCapacityProviderStrategy, parseLaunchType } from "../../core/run-task-input.js";
import type { PreDeployRequest } from "../../commands/pre-deploy.js";
import type { PlanFileOptions } from "../../commands/release-plan-file.js";
import { defineCommand, type CliContext, type CommandOutcome } from "../command.js";
import { RELEASE_FLAGS } from "../flag-definitions.js";

/** `ecs-release release`: render a forward revision from SSM and roll it out. */
export const releaseCommand = defineCommand({
  name: "release",
  summary: "register a new revision (commit image + SSM environment) and roll it out",
  description:
    "Renders one new task definition revision per family from the commit's image and every SSM parameter under --ssm-path, updates every service to it at once, and waits until each rollout is COMPLETED — or reports that it failed or was rolled back by the circuit breaker. Verifies everything before writing anything.",
  examples: [
    "ecs-release release --cluster prod --service web --service worker --ssm-path /platform/prod --repository platform",
    "ecs-release release --cluster prod --service web --ssm-path /platform/prod --repository platform --sha 3f2c… --dry-run",
    "ecs-release release … --dry-run --plan-file plan/prod.json   # before the approval; then, after it:  ecs-release release … --plan-file plan/prod.json",
  ],
  flags: RELEASE_FLAGS,
  writes: (flags) => !flags["dry-run"],
  execute: executeRelease,
});

async function executeRelease(ctx: CliContext<typeof RELEASE_FLAGS>): Promise<CommandOutcome> {
  const { flags } = ctx;
  const options = {
    ...renderOptions(flags, ctx.env),
    ...(flags.environment !== undefined ? { environment: flags.environment } : {}),
    dryRun: flags["dry-run"],
    wait: !flags["no-wait"],
    timeoutMs: flags.timeout,
    pollIntervalMs: flags["poll-interval"],
    force: flags.force,
    adopt: flags.adopt,
    updateSchedules: flags["update-schedules"],
    untilPaused: flags["until-paused"],
    metadata: readReleaseMetadata(ctx.env, ctx.version),
    skipChecks: [...parseSkipChecks(flags["skip-check"])],
  } as const;
  const preDeploy = readPreDeploy(ctx);
  const planFile = readPlanFile(ctx);
  const { run } = await import("../../commands/release.js");
  const deps = { aws: await ctx.aws(), log: ctx.log, clock: ctx.clock, signal: ctx.signal, redactor: ctx.redactor };
  const result = await run({ ...options, ...(preDeploy ? { preDeploy } : {}), ...(planFile ? { planFile } : {}) }, deps);
  return { result };
}

/** `--plan-file FILE`, with `--accept-drift` and `--allow-missing-plan` (which need it); the pipeline is CircleCI's CIRCLE_PIPELINE_ID. */
function readPlanFile(ctx: CliContext<typeof RELEASE_FLAGS>): PlanFileOptions | undefined {
  const { "plan-file": path, "accept-drift": acceptDrift, "allow-missing-plan": allowMissing, "plan-key": keyId } = ctx.flags;
  if (path === undefined && acceptDrift) throw new ValidationError("--accept-drift needs --plan-file FILE (the plan the release is compared with)");
  if (path === undefined && allowMissing) throw new ValidationError("--allow-missing-plan needs --plan-file FILE (the plan the release is compared with)");
  if (path === undefined && keyId !== undefined) throw new ValidationError("--plan-key needs --plan-file FILE (the plan it signs or verifies)");
  const pipelineId = ctx.env["CIRCLE_PIPELINE_ID"] || undefined;
  return path === undefined ? undefined : { path, acceptDrift, allowMissing, ...(pipelineId === undefined ? {} : { pipelineId }), ...(keyId === undefined ? {} : { keyId }) };
}

/** `--pre-deploy-*`: the command split into argv here, so a bad one is refused before anything is read or written. */
function readPreDeploy(ctx: CliContext<typeof RELEASE_FLAGS>): PreDeployRequest | undefined {
  const { "pre-deploy-command": text, "pre-deploy-container": container, "pre-deploy-launch-type": launchType, "pre-deploy-capacity-provider-strategy": strategy, "pre-deploy-enable-execute-command": exec } = ctx.flags;
  if (text === undefined) {
    if (container !== undefined) throw new ValidationError("--pre-deploy-container needs --pre-deploy-command");
    if (launchType !== undefined || strategy !== undefined || exec) throw new ValidationError("--pre-deploy-launch-type, --pre-deploy-capacity-provider-strategy and --pre-deploy-enable-execute-command need --pre-deploy-command");
    return undefined;
  }
  if (launchType !== undefined && strategy !== undefined) throw new ValidationError("pass --pre-deploy-launch-type or --pre-deploy-capacity-provider-strategy, not both (RunTask takes one or the other)");
  return {
    command: splitCommandLine(text, "--pre-deploy-command"),
    timeoutMs: ctx.flags["pre-deploy-timeout"],
    ...(container !== undefined ? { container } : {}),
    ...(launchType !== undefined ? { capacity: { launchType: parseLaunchType(launchType, "--pre-deploy-launch-type") } } : {}),
    ...(strategy !== undefined ? { capacity: { capacityProviderStrategy: parseCapacityProviderStrategy(strategy, "--pre-deploy-capacity-provider-strategy") } } : {}),
    ...(exec ? { enableExecuteCommand: true } : {}),
  };
}

/** The flags release and verify share: what to render, from which image, SSM path and templates. */
interface RenderFlags {
  readonly cluster: string;
  readonly service: readonly string[];
  readonly "ssm-path": string;
  readonly repository?: string | undefined;
  readonly image?: string | undefined;
  readonly sha?: string | undefined;
  readonly template: readonly string[];
  readonly container: readonly string[];
  readonly env: readonly string[];
  readonly "secure-strings": SecureStringMode;
  readonly "allow-empty-env": boolean;
}

/** The render options of release and verify (exactly one of --repository and --image; templates read from disk). */
export function renderOptions(flags: RenderFlags, env: Readonly<Record<string, string | undefined>>) {
  const { repository, image } = flags;
  if ((repository === undefined) === (image === undefined)) {
    throw new ValidationError("pass exactly one of --repository NAME (the image is NAME:SHA, looked up in ECR) or --image URI");
  }
  const circleSha1 = env["CIRCLE_SHA1"];
  return {
    cluster: flags.cluster,
    services: flags.service,
    ssmPath: flags["ssm-path"],
    ...(repository !== undefined ? { repository } : {}),
    ...(image !== undefined ? { image } : {}),
    ...(flags.sha !== undefined ? { sha: flags.sha } : {}),
    ...(circleSha1 !== undefined ? { circleSha1 } : {}),
    templates: flags.template.map(readTemplate),
    containers: flags.container,
    env: flags.env,
    secureStrings: flags["secure-strings"],
    allowEmptyEnv: flags["allow-empty-env"],
  };
}

/** `FILE` or `FAMILY=FILE` (a family name is letters, digits, `-` and `_`), read from disk. */
export function readTemplate(value: string): { family?: string; source: string; text: string } {
  const keyed = /^([A-Za-z0-9_-]{1,255})=(.+)$/.exec(value);
  const family = keyed?.[1];
  const file = keyed?.[2] ?? value;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new ValidationError(`--template ${value}: cannot read ${file}${code === "ENOENT" ? ": no such file" : code ? ` (${code})` : ""}`, { cause: error });
  }
  return { ...(family !== undefined ? { family } : {}), source: file, text };
}
