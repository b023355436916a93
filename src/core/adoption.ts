/**
 * Adoption: the first release over a revision ecs-release did not register. Pure.
 *
 * Without `--template`, a release renders from the family's latest ACTIVE revision and replaces the
 * application containers' environment with SSM (plus `--env`): right once a family is released by
 * ecs-release, but on a revision written by hand, Terraform or CDK it silently drops every literal
 * variable production runs on. And a revision registered outside ecs-release after the running one
 * (an extra sidecar, another image) would be copied without anyone naming it. Both are refused (exit
 * 2, nothing written) until adopted explicitly: `--adopt`, or a release with the `--plan-file` whose
 * dry run listed them and was approved.
 */
import type { Service } from "@aws-sdk/client-ecs";
import { ValidationError } from "./errors.js";
import { revisionName } from "./rollout-state.js";
import { TAG } from "./tags.js";
import type { ContainerDefinitionInput, TaskDefinitionInput, TaskDefinitionTemplate } from "./template.js";

/** A family's plan as adoption looks at it, with the raw tags of the revision it renders from. */
export interface AdoptionSource {
  readonly sourceFamily: string;
  readonly services: readonly Service[];
  readonly template: TaskDefinitionTemplate;
  readonly fromFile: boolean;
  /** The application containers (they get the environment). */
  readonly containers: readonly string[];
  readonly rendered: { readonly input: TaskDefinitionInput };
  /** The tags of the revision rendered from, ecs-release's included (the template's own omit them). */
  readonly recordTags: Readonly<Record<string, string>>;
}

/** A revision a release would render from that ecs-release did not register. */
export interface AdoptionFinding {
  readonly family: string;
  /** `web:5` */
  readonly revision: string;
  /** True when every service of the family runs it (a first release); false: it was registered after what runs. */
  readonly running: boolean;
  /** The revisions the services run (`web:4`), without duplicates. */
  readonly runs: readonly string[];
  /** Variables (environment and secrets) of the application containers the release would drop. */
  readonly removals: readonly string[];
}

/** True when a revision carries ecs-release's release record (every release writes both tags). */
export function hasReleaseRecord(tags: Readonly<Record<string, string>>): boolean {
  return tags[TAG.releasedAt] !== undefined || tags[TAG.version] !== undefined;
}

/** The finding for one family's plan; undefined when it renders from a file or a revision ecs-release registered. */
export function findAdoption(source: AdoptionSource): AdoptionFinding | undefined {
  if (source.fromFile || hasReleaseRecord(source.recordTags)) return undefined;
  const arn = source.template.source;
  const runs = [...new Set(source.services.map((s) => s.taskDefinition ?? ""))];
  const names = (containers: readonly ContainerDefinitionInput[]): Set<string> =>
    new Set(containers.filter((c) => source.containers.includes(c.name ?? "")).flatMap((c) => [...(c.environment ?? []), ...(c.secrets ?? [])].map((e) => e.name ?? "")));
  const kept = names(source.rendered.input.containerDefinitions);
  const removals = [...names(source.template.input.containerDefinitions)].filter((name) => name !== "" && !kept.has(name)).sort();
  return { family: source.sourceFamily, revision: revisionName(arn), running: runs.every((r) => r === arn), runs: runs.map(revisionName), removals };
}

/** What a finding is, in a clause (no advice). */
function describeFinding(finding: AdoptionFinding, ssmPath: string): string {
  const what = finding.running ? `${finding.revision} was not registered by ecs-release` : `${finding.revision} was not registered by ecs-release and no service runs it (they run ${finding.runs.join(", ")})`;
  const removes = finding.removals.length === 0 ? "" : `${finding.running ? ", and releasing from it" : "; releasing from it"} would remove ${finding.removals.join(", ")} (not in SSM under ${ssmPath})`;
  return what + removes;
}

/**
 * Refuses (ValidationError, exit 2) revisions to adopt that neither `--adopt` nor an approved plan
 * covers, with the one way on; when covered, returns one line per adopted revision.
 */
export function checkAdoption(findings: readonly AdoptionFinding[], ssmPath: string, cover: { readonly adopt: boolean; readonly approvedPlan: boolean }): string[] {
  if (findings.length === 0) return [];
  if (cover.adopt || cover.approvedPlan) {
    const how = cover.adopt ? "--adopt" : "as the approved plan showed";
    return findings.map((f) => `adopting ${f.revision} (not registered by ecs-release${f.running ? "" : ", runs nowhere"}; ${how})${f.removals.length > 0 ? `: removing ${f.removals.join(", ")}` : ""}`);
  }
  const steps: string[] = [];
  if (findings.some((f) => f.removals.length > 0)) steps.push("move them into SSM or pass --env NAME=VALUE");
  const slipped = findings.filter((f) => !f.running);
  steps.push(slipped.length > 0 ? `check ${slipped.map((f) => `${f.revision} (aws ecs describe-task-definition --task-definition ${f.revision})`).join(", ")}` : "check with --dry-run");
  const template = slipped.length > 0 ? `, or name a template with ${slipped.map((f) => `--template ${f.family}=FILE`).join(" ")}` : "";
  const advice = `${steps.join(", ")}, then release with --adopt (or with the approved --plan-file)${template}`;
  throw new ValidationError(`${findings.map((f) => describeFinding(f, ssmPath)).join("; ")}: nothing was written. ${advice.charAt(0).toUpperCase()}${advice.slice(1)}`, {
    problems: findings.map((f) => describeFinding(f, ssmPath)),
  });
}

/** The dry run's warnings: the same facts, and what the release will need (or that `--adopt` covers it). */
export function adoptionWarnings(findings: readonly AdoptionFinding[], ssmPath: string, adopt: boolean): string[] {
  return findings.map((f) => {
    const what = f.running ? `${f.revision} was not registered by ecs-release` : `${f.revision} was not registered by ecs-release and no service runs it (they run ${f.runs.join(", ")})`;
    const removes = f.removals.length === 0 ? "" : `: the release would remove ${f.removals.join(", ")} (not in SSM under ${ssmPath}; move them into SSM or pass --env NAME=VALUE)`;
    return `${what}${removes}${adopt ? ": adopted with --adopt" : `${removes ? ", and" : ":"} needs --adopt (or this plan, approved, with --plan-file)`}`;
  });
}
