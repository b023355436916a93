/**
 * Saved release plans: plan, approve, then release exactly what was approved (Terraform's saved plans
 * are the model: https://developer.hashicorp.com/terraform/cli/commands/plan#out-filename).
 *
 * `release --dry-run --plan-file FILE` records what the release would register: the image, each
 * family's rendered revision (its template, with environment values left out), each environment
 * variable's value digest, and the revision every service runs. `release --plan-file FILE` (after the
 * approval) computes the same from what AWS holds then and refuses to go on when they differ, unless
 * `--accept-drift`.
 *
 * Values never enter the plan. Their digests are HMAC-SHA256 under a random 256-bit key made for each
 * plan and kept in a separate file (FILE's `.key`), which travels only in the CircleCI workspace and is
 * never stored as an artifact: without it a digest cannot be checked against guessed values, so even a
 * short SecureString cannot be brute-forced from the plan or its Markdown.
 *
 * Pure: the CLI reads and writes the files.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import { ValidationError } from "./errors.js";

/** The plan file's format version. */
export const PLAN_VERSION = 1;

/** A revision about to be registered, as the release sees it after its checks (values included). */
export interface PlanSubjectFamily {
  readonly family: string;
  /** The RegisterTaskDefinition input (no tags). */
  readonly input: { readonly containerDefinitions: ReadonlyArray<{ readonly name?: string; readonly environment?: ReadonlyArray<{ name?: string; value?: string }>; readonly secrets?: ReadonlyArray<{ name?: string; valueFrom?: string }> }> } & Record<string, unknown>;
  /** service name → the revision (ARN) it runs now. */
  readonly running: Readonly<Record<string, string>>;
}

/** What a release is about to do (plan time or release time). */
export interface PlanSubject {
  readonly cluster: string;
  readonly ssmPath: string;
  readonly image: string;
  readonly families: readonly PlanSubjectFamily[];
}

/** One family in a saved plan: digests only. */
export interface SavedFamily {
  readonly family: string;
  /** SHA-256 of the rendered revision with environment values and secret references left out. */
  readonly template: string;
  /** `container/NAME` → HMAC of the value (environment) or of the reference (`secret:` prefix). */
  readonly environment: Readonly<Record<string, string>>;
  readonly running: Readonly<Record<string, string>>;
}

/** The plan file (JSON). */
export interface SavedPlan {
  readonly version: number;
  readonly createdAt: string;
  readonly cluster: string;
  readonly ssmPath: string;
  readonly image: string;
  readonly families: readonly SavedFamily[];
  /** The CircleCI pipeline that planned it (CIRCLE_PIPELINE_ID), when there was one. */
  readonly pipelineId?: string;
}

/** A new random key for a plan's digests (hex). */
export function newPlanKey(): string {
  return randomBytes(32).toString("hex");
}

/** The plan of `subject`, its digests keyed with `key`. */
export function savePlan(subject: PlanSubject, key: string, createdAt: string): SavedPlan {
  return {
    version: PLAN_VERSION,
    createdAt,
    cluster: subject.cluster,
    ssmPath: subject.ssmPath,
    image: subject.image,
    families: [...subject.families].sort((a, b) => (a.family < b.family ? -1 : 1)).map((family) => digestFamily(family, key)),
  };
}

function digestFamily(family: PlanSubjectFamily, key: string): SavedFamily {
  const hmac = (text: string): string => createHmac("sha256", Buffer.from(key, "hex")).update(text).digest("hex");
  const environment: Record<string, string> = {};
  const containers = family.input.containerDefinitions.map((container) => {
    for (const e of container.environment ?? []) environment[`${container.name ?? ""}/${e.name ?? ""}`] = hmac(`value\0${e.name ?? ""}\0${e.value ?? ""}`);
    for (const s of container.secrets ?? []) environment[`${container.name ?? ""}/${s.name ?? ""}`] = hmac(`secret\0${s.name ?? ""}\0${s.valueFrom ?? ""}`);
    const { environment: _environment, secrets: _secrets, ...rest } = container;
    return { ...rest, environmentNames: (container.environment ?? []).map((e) => e.name ?? "").sort(), secretNames: (container.secrets ?? []).map((s) => s.name ?? "").sort() };
  });
  const template = createHash("sha256").update(canonicalJson({ ...family.input, containerDefinitions: containers })).digest("hex");
  return { family: family.family, template, environment, running: { ...family.running } };
}

/** JSON with object keys sorted, so equal revisions give equal digests. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Reads a plan file's text; a ValidationError when it is not one. */
export function parsePlan(text: string, source: string): SavedPlan {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ValidationError(`--plan-file ${source} is not JSON: write it with release --dry-run --plan-file ${source}`);
  }
  const plan = value as Partial<SavedPlan>;
  if (typeof plan !== "object" || plan === null || plan.version !== PLAN_VERSION || !Array.isArray(plan.families) || typeof plan.image !== "string") {
    throw new ValidationError(`--plan-file ${source} is not an ecs-release plan (version ${PLAN_VERSION}): write it with release --dry-run --plan-file ${source}`);
  }
  return plan as SavedPlan;
}

/**
 * The differences between a saved plan and what the release would do now (`now`, digested with the
 * plan's key). Names only, never values: one line per difference; empty when they match.
 */
export function comparePlan(saved: SavedPlan, now: SavedPlan): string[] {
  const differences: string[] = [];
  if (saved.cluster !== now.cluster) differences.push(`cluster: planned ${saved.cluster}, now ${now.cluster}`);
  if (saved.ssmPath !== now.ssmPath) differences.push(`SSM path: planned ${saved.ssmPath}, now ${now.ssmPath}`);
  if (saved.image !== now.image) differences.push(`image: planned ${saved.image}, now ${now.image}`);
  const savedFamilies = new Map(saved.families.map((f) => [f.family, f]));
  const nowFamilies = new Map(now.families.map((f) => [f.family, f]));
  for (const family of new Set([...savedFamilies.keys(), ...nowFamilies.keys()])) {
    const before = savedFamilies.get(family);
    const after = nowFamilies.get(family);
    if (!before) {
      differences.push(`family ${family}: not in the plan`);
      continue;
    }
    if (!after) {
      differences.push(`family ${family}: planned, but not released now`);
      continue;
    }
    for (const service of new Set([...Object.keys(before.running), ...Object.keys(after.running)])) {
      const was = before.running[service];
      const is = after.running[service];
      if (was !== is) differences.push(`service ${service}: ran ${shortRevision(was)} at plan time, runs ${shortRevision(is)} now`);
    }
    for (const name of new Set([...Object.keys(before.environment), ...Object.keys(after.environment)])) {
      const was = before.environment[name];
      const is = after.environment[name];
      if (was === is) continue;
      differences.push(`family ${family}: ${name} ${was === undefined ? "added since the plan" : is === undefined ? "removed since the plan" : "changed since the plan (value not shown)"}`);
    }
    if (before.template !== after.template) differences.push(`family ${family}: the task definition (template) changed since the plan`);
  }
  return differences;
}

function shortRevision(arn: string | undefined): string {
  if (arn === undefined || arn === "") return "nothing";
  return arn.replace(/^arn:[^:]+:ecs:[^:]*:\d*:task-definition\//, "");
}

/** The plan as Markdown for the approver: what will be released, the masked diff, and how it is checked. */
export function planMarkdown(plan: SavedPlan, diffLines: readonly string[], context: { readonly services: readonly string[]; readonly planFile: string }): string {
  const lines = [
    `# Release plan: ${context.services.join(", ")} on ${plan.cluster}`,
    "",
    `- Image: \`${plan.image}\``,
    `- Environment: every parameter under \`${plan.ssmPath}\` (SecureString values masked)`,
    `- Planned at: ${plan.createdAt}`,
    ...plan.families.map((f) => `- Family \`${f.family}\`: ${Object.entries(f.running).map(([service, arn]) => `${service} runs ${shortRevision(arn)}`).join(", ")}; ${Object.keys(f.environment).length} variables`),
    "",
    "## Changes against what runs now",
    "",
    "```diff",
    ...(diffLines.length > 0 ? diffLines : ["(no changes)"]),
    "```",
    "",
    "## What approving means",
    "",
    `The release after the approval runs with \`--plan-file ${context.planFile}\`: it registers a revision only if the image, ` +
      "the task definition, every environment value (compared by keyed digest, never by value) and the revisions the services run " +
      "are still what this plan shows. Otherwise it stops with exit code 2, writes nothing and lists what changed, unless the " +
      "release job sets accept_drift.",
    "",
  ];
  return lines.join("\n");
}
