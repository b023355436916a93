/**
 * `release --plan-file FILE` / `--accept-drift` (core/release-plan-file.ts): the file side of saved
 * plans. A dry run writes FILE (JSON: names and keyed digests), its Markdown for the approver
 * (FILE with `.md`) and the digest key (FILE with `.key`, mode 600: keep it out of artifacts). A
 * release reads them and refuses (exit 2, nothing written) when what it is about to register differs.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { formatTaskDefinitionDiff, type TaskDefinitionDiff } from "../../core/diff.js";
import { ValidationError } from "../../core/errors.js";
import { comparePlan, newPlanKey, parsePlan, planMarkdown, savePlan, type PlanSubject } from "../../core/release-plan-file.js";
import type { CliContext } from "../command.js";

/** The Markdown and key files that go with a plan file. */
export function planCompanions(planFile: string): { markdown: string; key: string } {
  const base = planFile.replace(/\.json$/i, "");
  return { markdown: `${base}.md`, key: `${base}.key` };
}

/** The `onVerified` hook of release for these flags; undefined without --plan-file. */
export function planFileHook(
  ctx: Pick<CliContext, "log" | "redactor" | "clock">,
  options: { readonly planFile: string | undefined; readonly acceptDrift: boolean; readonly dryRun: boolean; readonly services: readonly string[] },
): ((subject: PlanSubject, diffs: readonly TaskDefinitionDiff[] | undefined) => Promise<void>) | undefined {
  const { planFile } = options;
  if (planFile === undefined) {
    if (options.acceptDrift) throw new ValidationError("--accept-drift needs --plan-file FILE (the plan the release is compared with)");
    return undefined;
  }
  if (options.dryRun && options.acceptDrift) throw new ValidationError("--accept-drift applies to the release after the plan, not to the dry run that writes it");
  const files = planCompanions(planFile);
  if (options.dryRun) {
    return async (subject, diffs) => {
      const key = newPlanKey();
      const plan = savePlan(subject, key, new Date(ctx.clock.now()).toISOString());
      const diffLines = (diffs ?? []).flatMap((diff) => formatTaskDefinitionDiff(diff, `${diff.family}:`)).map((line) => ctx.redactor.redact(line));
      try {
        mkdirSync(dirname(planFile), { recursive: true });
        writeFileSync(files.key, key, { mode: 0o600 });
        writeFileSync(planFile, `${JSON.stringify(plan, null, 2)}\n`);
        writeFileSync(files.markdown, ctx.redactor.redact(planMarkdown(plan, diffLines, { services: options.services, planFile })));
      } catch (error) {
        throw new ValidationError(`--plan-file ${planFile}: cannot write the plan (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
      }
      ctx.log.info(`plan written to ${planFile} (for the approver: ${files.markdown}); release with --plan-file ${planFile} to release exactly this`);
    };
  }
  return async (subject) => {
    let text: string;
    try {
      text = readFileSync(planFile, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new ValidationError(`--plan-file ${planFile}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
      ctx.log.warn(`no plan at ${planFile} to compare with (a re-run after the workspace expired?): releasing what SSM and ECS hold now, unchecked against an approved plan`);
      return;
    }
    const saved = parsePlan(text, planFile);
    let key: string;
    try {
      key = readFileSync(files.key, "utf8").trim();
    } catch (error) {
      throw new ValidationError(`--plan-file ${planFile}: its digest key ${files.key} is missing; persist it to the workspace with the plan`, { cause: error });
    }
    const differences = comparePlan(saved, savePlan(subject, key, saved.createdAt));
    if (differences.length === 0) {
      ctx.log.info(`matches the approved plan of ${saved.createdAt} (${planFile})`);
      return;
    }
    for (const difference of differences) ctx.log.warn(`differs from the plan: ${ctx.redactor.redact(difference)}`);
    if (options.acceptDrift) {
      ctx.log.warn(`going ahead although ${differences.length === 1 ? "1 thing" : `${differences.length} things`} changed since the plan of ${saved.createdAt} (--accept-drift)`);
      return;
    }
    throw new ValidationError(
      `${differences.length === 1 ? "1 thing" : `${differences.length} things`} changed since the approved plan of ${saved.createdAt} (${planFile}), listed above: nothing was written. Plan and approve again, or pass --accept-drift to release what holds now`,
      { problems: differences },
    );
  };
}
