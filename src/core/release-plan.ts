/**
 * The release plan (cli.md, release steps 1–7). Pure: every check `release` makes on its input and on
 * what it read, and the revision it renders per family; the command does the reads and the writes.
 *
 * Every check throws a ValidationError (exit 2) with one actionable line; the checks of the
 * rendered revisions are gathered and thrown together (`{ problems }`).
 */
import type { Service } from "@aws-sdk/client-ecs";
import { checkTaskDefinitionLimits, imageProblem } from "./ecs-limits.js";
import { ValidationError } from "./errors.js";
import type { ReleaseMetadata } from "./release-metadata.js";
import { needsExecutionRole, renderTaskDefinition, type RenderedTaskDefinition } from "./render-task-definition.js";
import { plural } from "./plural.js";
import { familyOf, hasDeploymentInProgress, hasFailedDeploymentLeftInPlace, revisionName } from "./rollout-state.js";
import { Redactor } from "./redact.js";
import { imageRepository, selectContainers, type ReleaseRepository } from "./select-containers.js";
import { normalizeSsmPath, parseLiteralEnvironment, type RenderedEnvironment, type SecureStringMode } from "./ssm-environment.js";
import { secureNamesTagValue, TAG } from "./tags.js";
import { parseTemplate, type TaskDefinitionTemplate } from "./template.js";

/** The flags `checkReleaseRequest` looks at (a subset of the command's options). */
export interface ReleaseRequestInput {
  readonly services: readonly string[];
  readonly ssmPath: string;
  readonly repository?: string;
  readonly image?: string;
  readonly sha?: string;
  readonly templates?: ReadonlyArray<{ readonly family?: string; readonly source: string; readonly text: string }>;
  readonly env?: readonly string[];
  readonly secureStrings?: SecureStringMode;
}

/** A parsed template and the family it was given for (undefined: every family). */
export interface KeyedTemplate {
  readonly family: string | undefined;
  readonly template: TaskDefinitionTemplate;
}

/** The request, checked and normalised before anything is read. */
export interface ReleaseRequest {
  /** The normalised SSM path. */
  readonly ssmPath: string;
  readonly mode: SecureStringMode;
  readonly templates: readonly KeyedTemplate[];
  /** The service names, without duplicates, in the order given. */
  readonly services: readonly string[];
}

/**
 * Checks the flags that need no AWS call: one image source, a SHA with `--repository`, a service,
 * the SSM path, the SecureString mode, `--env` items and template files (parsed here).
 */
export function checkReleaseRequest(input: ReleaseRequestInput): ReleaseRequest {
  if ((input.repository === undefined) === (input.image === undefined)) {
    throw new ValidationError("pass exactly one of --repository (the image is REPOSITORY:SHA, looked up in ECR) or --image URI");
  }
  if (input.repository !== undefined && !input.sha) {
    throw new ValidationError("no commit SHA: pass --sha, or set CIRCLE_SHA1, or run inside a git checkout");
  }
  // Checked before anything is read or written. A git commit SHA is 7 to 40 hex digits.
  if (input.sha && !/^[0-9a-fA-F]{7,40}$/.test(input.sha)) {
    throw new ValidationError(`--sha ${JSON.stringify(input.sha.length > 60 ? `${input.sha.slice(0, 60)}…` : input.sha)} is not a commit SHA: 7 to 40 hex digits (pass --sha, or set CIRCLE_SHA1)`);
  }
  const imageProblemText = input.image !== undefined ? imageProblem(input.image) : undefined;
  if (imageProblemText !== undefined) throw new ValidationError(`--image: ${imageProblemText}`);
  if (input.services.length === 0) throw new ValidationError("pass at least one --service");
  const ssmPath = normalizeSsmPath(input.ssmPath);
  const mode = input.secureStrings ?? "secretsmanager";
  if (mode !== "environment" && mode !== "secrets" && mode !== "secretsmanager") throw new ValidationError(`--secure-strings must be "secretsmanager", "environment" or "secrets", not "${String(mode)}"`);
  parseLiteralEnvironment(input.env ?? []);
  const templates = (input.templates ?? []).map((t) => ({ family: t.family, template: parseTemplate(t.text, t.source) }));
  if (templates.some((t) => t.family === undefined) && templates.length > 1) {
    throw new ValidationError("--template FILE applies to every family, so give it once; for several families use --template FAMILY=FILE for each");
  }
  return { ssmPath, mode, templates, services: [...new Set(input.services)] };
}

/**
 * Checks the described services: every one found and ACTIVE (`missing`: names DescribeServices did
 * not find), and every one on the ECS (rolling update) deployment controller.
 */
export function checkDescribedServices(cluster: string, services: readonly Service[], missing: readonly string[]): void {
  const inactive = services.filter((s) => s.status !== "ACTIVE");
  const absent = [...missing, ...inactive.map((s) => `${s.serviceName ?? "?"} (${s.status ?? "?"})`)];
  if (absent.length > 0) {
    throw new ValidationError(`service${absent.length === 1 ? "" : "s"} not found in cluster ${cluster}: ${absent.join(", ")} (check --service and --cluster)`);
  }
  const foreign = services.filter((s) => (s.deploymentController?.type ?? "ECS") !== "ECS");
  if (foreign.length > 0) {
    throw new ValidationError(
      `${foreign.map((s) => `${s.serviceName ?? "?"} uses the ${s.deploymentController?.type ?? "?"} deployment controller`).join(", ")}: ecs-release deploys services with the ECS (rolling update) controller only`,
    );
  }
}

/**
 * The image to release and the repository that identifies the application containers: with
 * `--repository`, the ECR image found for the SHA (none: an error), pinned by its digest
 * (`REPOSITORY@sha256:…`): a tag in a mutable repository can be moved to other bytes after the
 * approval, a digest cannot, and ECS pulls exactly the digest named
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_image).
 * `imageTag` keeps the tag for people (the revision's TAG.image). With `--image`, the URI as given.
 */
export function resolveReleaseImage(
  input: { readonly repository?: string; readonly image?: string; readonly sha?: string },
  ecrImage: { readonly uri: string; readonly digest: string } | undefined,
): { image: string; imageTag?: string; repository: ReleaseRepository } {
  if (input.repository !== undefined) {
    if (!ecrImage) {
      throw new ValidationError(
        `image ${input.repository}:${input.sha ?? ""} is not in ECR: the build job may not have run for this commit, or a lifecycle policy expired the image (push it with ecs-release push, or check --repository, --sha and the region)`,
      );
    }
    const repositoryUri = imageRepository(ecrImage.uri);
    return { image: `${repositoryUri}@${ecrImage.digest}`, imageTag: ecrImage.uri, repository: { uri: repositoryUri, name: input.repository } };
  }
  const image = input.image ?? "";
  return { image, repository: { uri: imageRepository(image) } };
}

/**
 * A warning naming the SecureStrings shorter than 8 characters (never their values): easy to guess,
 * and masked in output with the whole word around them (Redactor.isShort), so lines lose more.
 */
export function shortSecureStringWarning(parameters: ReadonlyArray<{ readonly name: string; readonly type: string; readonly value: string }>): string | undefined {
  const short = parameters.filter((p) => p.type === "SecureString" && Redactor.isShort(p.value)).map((p) => p.name);
  if (short.length === 0) return undefined;
  return `${short.length === 1 ? "SecureString" : "SecureStrings"} ${short.join(", ")} ${short.length === 1 ? "is" : "are"} shorter than 8 characters: easy to guess, and masked in every output line with the whole word around ${short.length === 1 ? "it" : "them"}; use longer values`;
}

/**
 * `--secure-strings environment` with SecureStrings: the exposure, named. DescribeTaskDefinition
 * cannot be limited to resources (Service Authorization Reference for ECS), so every principal of the
 * account allowed to describe task definitions reads these values, from deregistered revisions too.
 */
export function inlineSecretsWarning(mode: SecureStringMode, secureNames: readonly string[]): string | undefined {
  if (mode !== "environment" || secureNames.length === 0) return undefined;
  return `--secure-strings environment writes ${plural(secureNames.length, "SecureString")} (${secureNames.join(", ")}) into the task definition in plain text: anyone allowed ecs:DescribeTaskDefinition in the account (which IAM cannot limit to a family) can read ${secureNames.length === 1 ? "it" : "them"}, in every revision, deregistered ones included; --secure-strings secretsmanager keeps only references there`;
}

/** Refuses a release with no SSM parameters under the path unless `--allow-empty-env`. */
export function checkParametersFound(count: number, ssmPath: string, allowEmpty: boolean): void {
  if (count === 0 && !allowEmpty) {
    throw new ValidationError(`no SSM parameters under ${ssmPath} (check --ssm-path and the region; pass --allow-empty-env to release with no SSM environment)`);
  }
}

/** The services grouped by the family of the revision each runs, in the order given. */
export function groupServicesByFamily(services: readonly Service[]): Map<string, Service[]> {
  const byFamily = new Map<string, Service[]>();
  for (const service of services) {
    const family = familyOf(service.taskDefinition ?? "");
    byFamily.set(family, [...(byFamily.get(family) ?? []), service]);
  }
  return byFamily;
}

/**
 * Which template file replaces which family's latest revision: an unkeyed template applies to the
 * only family (several: an error); a keyed one must name a family the services run. Families
 * without a template are not in the map.
 */
export function matchTemplates(templates: readonly KeyedTemplate[], families: readonly string[]): Map<string, TaskDefinitionTemplate> {
  const unkeyed = templates.find((t) => t.family === undefined);
  if (unkeyed && families.length > 1) {
    throw new ValidationError(`the services run ${families.length} families (${families.join(", ")}): give a template per family with --template FAMILY=FILE, or none to use each family's latest revision`);
  }
  const unknownFamilies = templates.filter((t) => t.family !== undefined && !families.includes(t.family)).map((t) => t.family);
  if (unknownFamilies.length > 0) {
    throw new ValidationError(`--template ${unknownFamilies.join(", ")}=…: no service given runs that family (they run ${families.join(", ")})`);
  }
  // A template whose family is not the services' own would move them to another family; that takes
  // an explicit --template FAMILY=FILE (cli.md amendments).
  if (unkeyed && families.length === 1 && unkeyed.template.input.family !== families[0]) {
    throw new ValidationError(
      `template ${unkeyed.template.source} registers family ${unkeyed.template.input.family}, but the services run ${families[0]}: to move them to ${unkeyed.template.input.family}, name their family explicitly with --template ${families[0]}=FILE`,
    );
  }
  const matched = new Map<string, TaskDefinitionTemplate>();
  for (const family of families) {
    const template = (unkeyed ?? templates.find((t) => t.family === family))?.template;
    if (template !== undefined) matched.set(family, template);
  }
  return matched;
}

/** Where a release goes: the environment it is recorded for, its cluster and SSM path. */
export interface ReleasePlace {
  readonly environment: string;
  readonly cluster: string;
  readonly ssmPath: string;
}

/** A cluster's name from its name or ARN. */
function clusterNameOf(cluster: string): string {
  return cluster.slice(cluster.lastIndexOf("/") + 1);
}

/**
 * The environment a release is recorded for: `--environment`, else the cluster's name (stable:
 * the same cluster always gives the same name). Two environments that share a cluster need
 * `--environment` to be told apart.
 */
export function releaseEnvironment(environment: string | undefined, cluster: string): string {
  return environment ?? clusterNameOf(cluster);
}

/** The tags this release records on every revision it registers (TAG.*). */
export function releaseTagMap(
  input: { readonly sha?: string; readonly metadata: ReleaseMetadata; readonly place?: ReleasePlace },
  image: string,
  releasedAt: string,
): Record<string, string> {
  const tags: Record<string, string> = { [TAG.image]: image, [TAG.releasedAt]: releasedAt, [TAG.version]: input.metadata.version };
  if (input.place) Object.assign(tags, { [TAG.environment]: input.place.environment, [TAG.cluster]: clusterNameOf(input.place.cluster), [TAG.ssmPath]: input.place.ssmPath });
  if (input.sha) tags[TAG.sha] = input.sha;
  if (input.metadata.releasedBy) tags[TAG.releasedBy] = input.metadata.releasedBy;
  if (input.metadata.pipeline) tags[TAG.pipeline] = input.metadata.pipeline;
  if (input.metadata.jobUrl) tags[TAG.jobUrl] = input.metadata.jobUrl;
  return tags;
}

/** One family's plan: its services, the template it renders from, the rendered revision. */
export interface FamilyPlan {
  /** The family the services run now. */
  readonly sourceFamily: string;
  readonly services: readonly Service[];
  readonly template: TaskDefinitionTemplate;
  /** True when the template is a file (`--template`), not the family's latest revision. */
  readonly fromFile: boolean;
  /** The application containers (they get the image and the environment). */
  readonly containers: readonly string[];
  readonly rendered: RenderedTaskDefinition;
}

/** What `planFamilies` renders from. */
export interface PlanFamiliesInput {
  /** Services by the family they run (groupServicesByFamily). */
  readonly byFamily: ReadonlyMap<string, readonly Service[]>;
  /** Template files by family (matchTemplates). */
  readonly fileTemplates: ReadonlyMap<string, TaskDefinitionTemplate>;
  /** Each other family's latest revision, as a template. */
  readonly latest: ReadonlyMap<string, TaskDefinitionTemplate>;
  /** `--container` names (empty: chosen by repository). */
  readonly containers: readonly string[];
  readonly repository: ReleaseRepository;
  readonly image: string;
  readonly environment: RenderedEnvironment;
  readonly ssmPath: string;
  readonly mode: SecureStringMode;
  readonly releaseTags: Readonly<Record<string, string>>;
}

/** The plans, and the plan that registers each target family (the family of its rendered revision). */
export interface ReleasePlan {
  readonly plans: readonly FamilyPlan[];
  readonly targets: ReadonlyMap<string, FamilyPlan>;
}

/**
 * Renders one revision per family and checks them all: container selection (throws at once),
 * ECS limits, an execution role for container secrets, `--container` names no family has, and two
 * templates registering one family. The problems are thrown together, after the unknown names.
 */
export function planFamilies(input: PlanFamiliesInput): ReleasePlan {
  const sources = [...input.byFamily.keys()].map((family) => {
    const file = input.fileTemplates.get(family);
    const template = file ?? input.latest.get(family);
    if (template === undefined) throw new ValidationError("internal: a family without a described revision");
    return { family, template, fromFile: file !== undefined };
  });
  const problems: string[] = [];
  const plans = sources.map(({ family, template, fromFile }) => {
    const plan = planFamily({ sourceFamily: family, services: input.byFamily.get(family) ?? [], template, fromFile }, input);
    problems.push(...plan.problems);
    return plan.plan;
  });
  const unknown = unknownContainerNames(input.containers, plans);
  if (unknown.length > 0) {
    throw new ValidationError(`--container ${unknown.join(", ")}: no such container in ${plans.map((p) => p.template.input.family).join(", ")}`);
  }
  const targets = targetFamilies(plans);
  problems.push(...targets.problems);
  if (problems.length > 0) throw new ValidationError(problems.join("; "), { problems });
  return { plans, targets: targets.targets };
}

/**
 * One family's plan: selects the application containers (throws when ambiguous or none named),
 * renders the revision and lists what ECS would refuse (limits, secrets without an execution role).
 */
export function planFamily(
  source: { readonly sourceFamily: string; readonly services: readonly Service[]; readonly template: TaskDefinitionTemplate; readonly fromFile: boolean },
  input: Pick<PlanFamiliesInput, "containers" | "repository" | "image" | "environment" | "ssmPath" | "mode" | "releaseTags">,
): { plan: FamilyPlan; problems: string[] } {
  const { template, fromFile } = source;
  const containers = selectContainers(template.input.containerDefinitions, {
    ...(input.containers.length > 0 ? { names: input.containers } : {}),
    repository: input.repository,
    source: fromFile ? `template ${template.source}` : `task definition ${revisionName(template.source)}`,
  });
  // The record of which names are SecureStrings (names only): a later diff or drift shows a value
  // read from this revision only when the record says it was not one.
  const releaseTags = { ...input.releaseTags, [TAG.secureNames]: secureNamesTagValue(input.environment.secureNames) };
  const rendered = renderTaskDefinition({ template, fromFile, containers, image: input.image, environment: input.environment, ssmPath: input.ssmPath, releaseTags });
  const problems = checkTaskDefinitionLimits(rendered.input, rendered.tags);
  const referencesSnapshot = input.mode === "secretsmanager" && rendered.input.containerDefinitions.some((c) => (c.environment ?? []).some((e) => input.environment.secureNames.includes(e.name ?? "")));
  if (referencesSnapshot && !rendered.input.executionRoleArn) {
    problems.push(`family ${rendered.input.family} gets SecureStrings from Secrets Manager (--secure-strings secretsmanager) but has no executionRoleArn: ECS reads the secret at task start with the execution role (docs/iam.md: task-execution-secrets)`);
  } else if (needsExecutionRole(rendered.input) && !rendered.input.executionRoleArn) {
    problems.push(`family ${rendered.input.family} has container secrets but no executionRoleArn: ECS needs an execution role that may read the parameters${input.mode === "secrets" ? " (--secure-strings secrets)" : ""}`);
  }
  return { plan: { ...source, containers, rendered }, problems };
}

/** The `--container` names no family's template has. */
export function unknownContainerNames(names: readonly string[], plans: ReadonlyArray<Pick<FamilyPlan, "template">>): string[] {
  return names.filter((name) => !plans.some((p) => p.template.input.containerDefinitions.some((c) => c.name === name)));
}

/** The family a plan registers a revision of (its rendered revision's family). */
export function targetFamily(plan: FamilyPlan): string {
  return plan.rendered.input.family;
}

/**
 * The plan that registers each target family. Two plans of one target family from different
 * templates are a problem (which revision would the services get?); with one template, the later wins.
 */
export function targetFamilies(plans: readonly FamilyPlan[]): { targets: Map<string, FamilyPlan>; problems: string[] } {
  const targets = new Map<string, FamilyPlan>();
  const problems: string[] = [];
  for (const plan of plans) {
    const target = targetFamily(plan);
    const other = targets.get(target);
    if (other && other.template !== plan.template) problems.push(`two templates register family ${target} (${other.template.source}, ${plan.template.source})`);
    targets.set(target, plan);
  }
  return { targets, problems };
}

/** The names of the services that get the target family's new revision. */
export function servicesOfTarget(plans: readonly FamilyPlan[], family: string): string[] {
  return plans.filter((p) => targetFamily(p) === family).flatMap((p) => p.services.map((s) => s.serviceName ?? ""));
}

/**
 * Refuses to release over a deployment in progress unless `force`; with `force`, returns the
 * warning to give (undefined when no service is busy). A FAILED deployment left in place (circuit
 * breaker without rollback) is settled, not in progress: it only adds one line to the warning.
 */
export function checkDeploymentsInProgress(services: readonly Service[], force: boolean): string | undefined {
  // A FAILED deployment the circuit breaker left in place is settled: say so in one line and go ahead.
  const failed = services.filter(hasFailedDeploymentLeftInPlace);
  const settled = failed.length === 0 ? undefined : `${failed.map((s) => `${s.serviceName ?? "?"} (${revisionName(s.taskDefinition ?? "")})`).join(", ")}: the last deployment FAILED and was left in place (circuit breaker without rollback); releasing over it`;
  const busy = services.filter(hasDeploymentInProgress);
  if (busy.length === 0) return settled;
  const names = busy.map((s) => `${s.serviceName ?? "?"} (${(s.deployments ?? []).map((d) => `${d.status ?? "?"} ${revisionName(d.taskDefinition ?? "")} ${d.rolloutState ?? ""}`.trim()).join(", ")})`);
  if (!force) {
    throw new ValidationError(`a deployment is already in progress on ${names.join("; ")}: wait for it (ecs-release status) or pass --force to release over it`);
  }
  return [settled, `releasing over a deployment in progress (--force): ${names.join("; ")}`].filter((line) => line !== undefined).join("; ");
}

/** The warning for `--env` names SSM also has (SSM wins); undefined when none clash. */
export function environmentClashWarning(clashes: readonly string[], ssmPath: string): string | undefined {
  if (clashes.length === 0) return undefined;
  return `--env ${clashes.join(", ")} ${clashes.length === 1 ? "is" : "are"} also in SSM under ${ssmPath}: the SSM value wins`;
}

/** The line logged when every check passed. */
export function verifiedSummary(input: {
  readonly cluster: string;
  readonly services: readonly string[];
  readonly image: string;
  readonly parameterCount: number;
  readonly ssmPath: string;
  readonly secureCount: number;
  readonly mode: SecureStringMode;
}): string {
  const secure = input.secureCount > 0 ? ` (${plural(input.secureCount, "SecureString")}, as ${input.mode})` : "";
  return `verified: cluster ${input.cluster}, ${plural(input.services.length, "service")} (${input.services.join(", ")}), image ${input.image}, ${plural(input.parameterCount, "parameter")} under ${input.ssmPath}${secure}`;
}
