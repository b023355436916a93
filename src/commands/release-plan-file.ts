/**
 * `release --plan-file FILE` / `--accept-drift` (core/release-plan-file.ts): the file side of saved
 * plans, run by release after every check and before anything is written. A dry run writes FILE
 * (JSON: names and keyed digests), its Markdown for the approver (FILE with `.md`) and the digest key
 * (FILE with `.key`, mode 600: keep it out of artifacts). A release reads them and refuses (exit 2,
 * nothing written) when what it is about to register differs.
 *
 * With `--plan-key KEY` (a KMS HMAC key) the dry run signs the plan (GenerateMac) and the release
 * verifies it (VerifyMac) before comparing: a plan changed after the plan job (its digests
 * recomputed with the `.key` from the workspace) is refused, and so is a missing or unsigned plan.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { AwsClients } from "../aws/clients.js";
import { generateMac, PLAN_MAC_ALGORITHM, verifyMac } from "../aws/kms.js";
import type { Clock } from "../core/clock.js";
import { formatTaskDefinitionDiff, type TaskDefinitionDiff } from "../core/diff.js";
import { ValidationError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { Redactor } from "../core/redact.js";
import { comparePlan, movedTag, newPlanKey, parsePlan, planMacMessage, planMarkdown, savePlan, type PlanSubject, type SavedPlan } from "../core/release-plan-file.js";
import { plural } from "../core/plural.js";

/** `--plan-file FILE`, `--accept-drift` and `--allow-missing-plan`. */
export interface PlanFileOptions {
  readonly path: string;
  /** Release even when what it would register differs from the plan (the differences are listed). */
  readonly acceptDrift: boolean;
  /** Release, unchecked, when there is no plan at `path` or it is another pipeline's (said in the output). */
  readonly allowMissing?: boolean;
  /** The CircleCI pipeline running (CIRCLE_PIPELINE_ID): a dry run records it, a release wants its own pipeline's plan. */
  readonly pipelineId?: string;
  /** `--plan-key`: the KMS HMAC key that signs (dry run) and verifies (release) the plan. */
  readonly keyId?: string;
}

/** What the plan file side needs from outside. */
export interface PlanFileDeps {
  readonly log: Logger;
  readonly redactor: Redactor;
  readonly clock: Clock;
  readonly aws: Pick<AwsClients, "kms">;
}

/** The Markdown and key files that go with a plan file. */
export function planCompanions(planFile: string): { markdown: string; key: string } {
  const base = planFile.replace(/\.json$/i, "");
  return { markdown: `${base}.md`, key: `${base}.key` };
}

/** Refuses --accept-drift on the dry run that writes the plan (before anything is read). */
export function checkPlanFileOptions(planFile: PlanFileOptions | undefined, dryRun: boolean): void {
  if (planFile?.acceptDrift && dryRun) throw new ValidationError("--accept-drift applies to the release after the plan, not to the dry run that writes it");
  if (planFile?.allowMissing && dryRun) throw new ValidationError("--allow-missing-plan applies to the release after the plan, not to the dry run that writes it");
}

/** Dry run: saves the plan of `subject` (with the masked diff for the approver) under a new key. */
export async function writePlanFile(planFile: PlanFileOptions, subject: PlanSubject, diffs: readonly TaskDefinitionDiff[], services: readonly string[], deps: PlanFileDeps, adoption: readonly string[] = []): Promise<void> {
  const path = planFile.path;
  const files = planCompanions(path);
  const key = newPlanKey();
  const plan = await signPlan({ ...savePlan(subject, key, new Date(deps.clock.now()).toISOString()), ...(planFile.pipelineId === undefined ? {} : { pipelineId: planFile.pipelineId }) }, planFile, deps);
  const diffLines = diffs.flatMap((diff) => formatTaskDefinitionDiff(diff, `${diff.family}:`)).map((line) => deps.redactor.redact(line));
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(files.key, key, { mode: 0o600 });
    writeFileSync(path, `${JSON.stringify(plan, null, 2)}\n`);
    writeFileSync(files.markdown, deps.redactor.redact(withAdoption(planMarkdown(plan, diffLines, { services, planFile: path }), adoption)));
  } catch (error) {
    throw new ValidationError(`--plan-file ${path}: cannot write the plan (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  }
  deps.log.info(`plan written to ${path} (for the approver: ${files.markdown}); release with --plan-file ${path} to release exactly this`);
}

/** The plan with its KMS MAC under --plan-key; without one, as it is (and a warning that anyone who can write the workspace can change it). */
async function signPlan(plan: SavedPlan, planFile: PlanFileOptions, deps: PlanFileDeps): Promise<SavedPlan> {
  if (planFile.keyId === undefined) {
    deps.log.warn(`the plan is not signed (no --plan-key): whoever can write the workspace can change it and its digests before the release; sign it with a KMS HMAC key (docs/cli.md, "Saved plans")`);
    return plan;
  }
  const { mac, keyArn } = await generateMac(deps.aws, planFile.keyId, planMacMessage(plan));
  return { ...plan, mac: { keyArn, algorithm: PLAN_MAC_ALGORITHM, value: mac } };
}

/**
 * With --plan-key, the plan must carry a MAC that KMS verifies with that key; without it, a signed
 * plan is refused too (the release would not check what the plan job signed).
 */
async function verifyPlan(plan: SavedPlan, planFile: PlanFileOptions, deps: PlanFileDeps): Promise<void> {
  const path = planFile.path;
  if (planFile.keyId === undefined) {
    if (plan.mac !== undefined) throw new ValidationError(`--plan-file ${path} is signed with the KMS key ${plan.mac.keyArn}: pass --plan-key to verify it (nothing was written)`);
    return;
  }
  if (plan.mac === undefined) throw new ValidationError(`--plan-file ${path} is not signed, but --plan-key ${planFile.keyId} expects a plan signed by the plan job: nothing was written. Plan again with --plan-key`);
  if (!(await verifyMac(deps.aws, planFile.keyId, planMacMessage(plan), plan.mac.value))) {
    throw new ValidationError(`--plan-file ${path} was changed after the plan job signed it (its KMS MAC under ${planFile.keyId} does not match): nothing was written. Plan and approve again`);
  }
  deps.log.info(`the plan's KMS MAC verifies (${planFile.keyId})`);
}

/**
 * The approver's Markdown with the revisions to adopt (ecs-release did not register them) in a
 * section of their own, before the changes: approving the plan adopts them.
 */
function withAdoption(markdown: string, adoption: readonly string[]): string {
  if (adoption.length === 0) return markdown;
  const section = ["## Revisions ecs-release did not register (approving adopts them)", "", ...adoption.map((line) => `- ${line}`), "", ""].join("\n");
  return markdown.replace("## Changes against what runs now", `${section}## Changes against what runs now`);
}

/**
 * A release: compares `subject` with the saved plan. A missing plan, or one of another pipeline (an
 * old workspace), refuses the release unless --allow-missing-plan; a difference refuses it
 * (ValidationError listing them) unless --accept-drift, which releases saying what changed. True only
 * when the release is exactly the approved plan (what it adopts, the approver saw).
 */
export async function checkPlanFile(planFile: PlanFileOptions, subject: PlanSubject, deps: PlanFileDeps): Promise<boolean> {
  const saved = readSavedPlan(planFile, deps.log);
  if (saved === undefined) return false;
  await verifyPlan(saved.plan, planFile, deps);
  const now = savePlan(subject, saved.key, saved.plan.createdAt);
  const differences = comparePlan(saved.plan, now);
  const when = `the approved plan of ${saved.plan.createdAt}`;
  const moved = movedTag(saved.plan, now);
  // Not drift: other bytes under the approved name. --accept-drift does not cover it.
  if (moved !== undefined) throw new ValidationError(`${moved}: nothing was written. Point the tag back at the approved digest, or plan and approve again (${planFile.path})`, { problems: differences });
  if (differences.length === 0) {
    deps.log.info(`matches ${when} (${planFile.path})`);
    return true;
  }
  for (const difference of differences) deps.log.warn(`differs from the plan: ${deps.redactor.redact(difference)}`);
  const things = plural(differences.length, "thing");
  if (planFile.acceptDrift) {
    deps.log.warn(`going ahead although ${things} changed since the plan of ${saved.plan.createdAt} (--accept-drift)`);
    return false;
  }
  throw new ValidationError(`${things} changed since ${when} (${planFile.path}), listed above: nothing was written. Plan and approve again, or pass --accept-drift to release what holds now`, {
    problems: differences,
  });
}

/** The saved plan and its digest key; undefined (with a warning) when there is none and --allow-missing-plan says go on. */
function readSavedPlan(planFile: PlanFileOptions, log: Logger): { plan: SavedPlan; key: string } | undefined {
  const { path } = planFile;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new ValidationError(`--plan-file ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
    return missingPlan(planFile, `no plan at ${path}`, log);
  }
  const plan = parsePlan(text, path);
  if (plan.pipelineId !== undefined && planFile.pipelineId !== undefined && plan.pipelineId !== planFile.pipelineId) {
    return missingPlan(planFile, `the plan at ${path} belongs to pipeline ${plan.pipelineId}, not to this pipeline (${planFile.pipelineId})`, log);
  }
  const keyFile = planCompanions(path).key;
  try {
    return { plan, key: readFileSync(keyFile, "utf8").trim() };
  } catch (error) {
    throw new ValidationError(`--plan-file ${path}: its digest key ${keyFile} is missing; persist it to the workspace with the plan`, { cause: error });
  }
}

/** No plan of this pipeline: refused (exit 2, before anything is written) unless --allow-missing-plan. */
function missingPlan(planFile: PlanFileOptions, what: string, log: Logger): undefined {
  if (planFile.allowMissing) {
    log.warn(`${what} to compare with (--allow-missing-plan): releasing what SSM and ECS hold now, unchecked against an approved plan`);
    return undefined;
  }
  throw new ValidationError(
    `${what} (the plan job writes it before the approval; a workspace is kept 15 days): nothing was written. Re-run the workflow from the start for a fresh plan and approval, or pass --allow-missing-plan to release unchecked`,
  );
}
