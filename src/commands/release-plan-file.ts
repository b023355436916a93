/**
 * `release --plan-file FILE` / `--accept-drift` (core/release-plan-file.ts): the file side of saved
 * plans, run by release after every check and before anything is written. A dry run writes FILE
 * (JSON: names and keyed digests), its Markdown for the approver (FILE with `.md`) and the digest key
 * (FILE with `.key`, mode 600: keep it out of artifacts). A release reads them and refuses (exit 2,
 * nothing written) when what it is about to register differs.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Clock } from "../core/clock.js";
import { formatTaskDefinitionDiff, type TaskDefinitionDiff } from "../core/diff.js";
import { ValidationError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { Redactor } from "../core/redact.js";
import { comparePlan, newPlanKey, parsePlan, planMarkdown, savePlan, type PlanSubject, type SavedPlan } from "../core/release-plan-file.js";
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
}

/** What the plan file side needs from outside. */
export interface PlanFileDeps {
  readonly log: Logger;
  readonly redactor: Redactor;
  readonly clock: Clock;
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
export function writePlanFile(planFile: PlanFileOptions, subject: PlanSubject, diffs: readonly TaskDefinitionDiff[], services: readonly string[], deps: PlanFileDeps, adoption: readonly string[] = []): void {
  const path = planFile.path;
  const files = planCompanions(path);
  const key = newPlanKey();
  const plan: SavedPlan = { ...savePlan(subject, key, new Date(deps.clock.now()).toISOString()), ...(planFile.pipelineId === undefined ? {} : { pipelineId: planFile.pipelineId }) };
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
export function checkPlanFile(planFile: PlanFileOptions, subject: PlanSubject, deps: PlanFileDeps): boolean {
  const saved = readSavedPlan(planFile, deps.log);
  if (saved === undefined) return false;
  const differences = comparePlan(saved.plan, savePlan(subject, saved.key, saved.plan.createdAt));
  const when = `the approved plan of ${saved.plan.createdAt}`;
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
