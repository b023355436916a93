/**
 * `ecs-release release` (cli.md): render one forward revision per family from the commit's image
 * and the SSM environment, update every service at once, and wait for each rollout to its real end.
 *
 * Phases: verify (every read, every check — nothing is written before all pass), register, update,
 * wait. Reads are as few as the checks allow and run concurrently: one DescribeServices per 10
 * services, GetParametersByPath pages of 10, one DescribeImages, one DescribeTaskDefinition (with
 * tags) per family — plus one per running revision that is not its family's latest, and, only when
 * an image older than the running revision is released again, a bounded scan for the revision that
 * SHA was first released with (to report how the environment drifted).
 */
import type { Service } from "@aws-sdk/client-ecs";
import type { AwsClients } from "../aws/clients.js";
import { describeServices, describeTaskDefinition, partialUpdateError, registerTaskDefinition, tagResource, updateServices, type DescribedTaskDefinition } from "../aws/ecs.js";
import { findImage } from "../aws/ecr.js";
import { readParametersByPath } from "../aws/ssm.js";
import { listRevisionArns } from "../aws/task-definitions.js";
import { rolloutReportError, waitForRollouts, type RolloutReport } from "../aws/wait-rollout.js";
import type { Clock } from "../core/clock.js";
import { containerEnvironment, diffEnvironment, diffTaskDefinitions, formatEnvironmentChanges, formatTaskDefinitionDiff, type EnvironmentChange, type TaskDefinitionDiff } from "../core/diff.js";
import { formatDuration } from "../core/duration.js";
import { checkTaskDefinitionLimits } from "../core/ecs-limits.js";
import { InterruptedError, ValidationError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { Redactor } from "../core/redact.js";
import type { ReleaseMetadata } from "../core/release-metadata.js";
import { needsExecutionRole, renderTaskDefinition, type RenderedTaskDefinition } from "../core/render-task-definition.js";
import { deploymentConfigurationWarnings, familyOf, hasDeploymentInProgress, isFailure, revisionName, rolloutTargetsOf, type RolloutStateKind } from "../core/rollout-state.js";
import { imageRepository, selectContainers, type ReleaseRepository } from "../core/select-containers.js";
import { buildEnvironment, normalizeSsmPath, parseLiteralEnvironment, type SecureStringMode } from "../core/ssm-environment.js";
import { TAG } from "../core/tags.js";
import { parseTemplate, templateFromRevision, type TaskDefinitionTemplate } from "../core/template.js";

/** A template file as the CLI read it. */
export interface TemplateSource {
  /** The family it applies to (`--template FAMILY=FILE`); undefined: every family (there must be one). */
  readonly family?: string;
  /** The file name, for messages. */
  readonly source: string;
  readonly text: string;
}

/** A revision this release is about to register (what `verifyPlanned` gets). */
export interface PlannedRevision {
  readonly family: string;
  /** The application containers that get the image and environment. */
  readonly containers: readonly string[];
  /** Every container of the rendered revision. */
  readonly containerNames: readonly string[];
  readonly services: readonly string[];
}

/** A revision registered by this release (what `beforeUpdate` gets). */
export interface RegisteredRevision {
  readonly family: string;
  readonly taskDefinitionArn: string;
  /** The application containers that got the image and environment. */
  readonly containers: readonly string[];
  readonly services: readonly string[];
}

/** What `release` was asked to do (flags, resolved by the CLI). */
export interface ReleaseOptions {
  readonly cluster: string;
  readonly services: readonly string[];
  readonly ssmPath: string;
  /** ECR repository: the image is `repository:sha`, which must exist. Exclusive with `image`. */
  readonly repository?: string;
  /** A full image URI, used as is (no ECR lookup). Exclusive with `repository`. */
  readonly image?: string;
  /** The commit SHA (required with `repository`); recorded as TAG.sha. */
  readonly sha?: string;
  readonly templates?: readonly TemplateSource[];
  readonly containers?: readonly string[];
  /** `--env K=V` items. */
  readonly env?: readonly string[];
  readonly secureStrings?: SecureStringMode;
  readonly allowEmptyEnv?: boolean;
  readonly dryRun?: boolean;
  /** False for `--no-wait`. */
  readonly wait?: boolean;
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
  readonly force?: boolean;
  readonly metadata: ReleaseMetadata;
  /** ISO time recorded as TAG.releasedAt (default: the clock's now). */
  readonly releasedAt?: string;
  /** How many of a family's newest revisions to scan for the one an older SHA was released with (default 50). */
  readonly historyScanLimit?: number;
  /**
   * Runs after the revisions are registered and before any service is updated (the seam for
   * `--pre-deploy-command`). Throwing stops the release with nothing rolled out.
   */
  readonly beforeUpdate?: (revisions: readonly RegisteredRevision[]) => Promise<void>;
  /**
   * Checks of the seam's own input against the rendered revisions, made with the other checks
   * before anything is written (and in a dry run); throws a ValidationError to refuse the release.
   */
  readonly verifyPlanned?: (revisions: readonly PlannedRevision[]) => void;
}

/** What `release` needs from outside. */
export interface ReleaseDeps {
  readonly aws: AwsClients;
  readonly log: Logger;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly redactor: Redactor;
}

/** Per-service outcome in the result. */
export interface ReleaseServiceResult {
  readonly service: string;
  /** The revision the service ran before. */
  readonly from: string;
  /** The revision it was updated to (null in a dry run). */
  readonly to: string | null;
  readonly deploymentId: string | null;
  /** `dry-run`, `not-waited`, or the rollout state at the end of the wait. */
  readonly outcome: RolloutStateKind | "dry-run" | "not-waited" | "not-updated";
  readonly reason?: string;
  /** The revision ECS fell back to (circuit breaker). */
  readonly fallenBackTo?: string;
}

/** The result document (`--json`), also attached to errors after the first write. */
export interface ReleaseResult {
  readonly cluster: string;
  readonly sha: string | null;
  readonly image: string;
  readonly dryRun: boolean;
  readonly environment: { readonly ssmPath: string; readonly variables: readonly string[]; readonly secrets: readonly string[]; readonly mode: SecureStringMode; readonly clashes: readonly string[] };
  readonly revisions: Array<{
    readonly family: string;
    readonly taskDefinitionArn: string | null;
    readonly renderedFrom: string;
    readonly containers: readonly string[];
    readonly services: readonly string[];
    readonly outcome: "stable" | "failed" | null;
  }>;
  readonly services: ReleaseServiceResult[];
  readonly warnings: string[];
  /** Dry run: the changes against what runs now, per family. */
  readonly diff?: TaskDefinitionDiff[];
  /** Re-release of an older SHA: how today's environment differs from the one it was released with. */
  readonly drift: Array<{ readonly family: string; readonly releasedIn: string; readonly changes: readonly EnvironmentChange[] }>;
  /** Milliseconds per phase. */
  readonly phases: { verifyMs: number; registerMs: number; updateMs: number; waitMs: number };
}

/** One family's plan: its services, template, rendered revision. */
interface FamilyPlan {
  readonly sourceFamily: string;
  readonly services: Service[];
  template: TaskDefinitionTemplate;
  fromFile: boolean;
  containers: string[];
  rendered?: RenderedTaskDefinition;
  registeredArn?: string;
}

const DEFAULT_HISTORY_SCAN = 50;

const NOTHING_WRITTEN = "interrupted before anything was written: no revision registered, no service updated";

/** Runs a release. Throws ValidationError (exit 2) before any write; see ReleaseResult for the rest. */
export async function run(options: ReleaseOptions, deps: ReleaseDeps): Promise<ReleaseResult> {
  const progress = { writing: false };
  try {
    return await release(options, deps, progress);
  } catch (error) {
    // A signal that aborted one of the reads: say plainly that nothing was written.
    if (error instanceof InterruptedError && !progress.writing) throw new InterruptedError(NOTHING_WRITTEN, { cause: error });
    throw error;
  }
}

async function release(options: ReleaseOptions, deps: ReleaseDeps, progress: { writing: boolean }): Promise<ReleaseResult> {
  const { log, clock } = deps;
  const started = clock.now();
  const phases = { verifyMs: 0, registerMs: 0, updateMs: 0, waitMs: 0 };
  const warnings: string[] = [];
  const warn = (message: string): void => {
    warnings.push(message);
    log.warn(message);
  };

  // --- 1. verify: pure checks first, then the reads, concurrently -------------------------------
  if ((options.repository === undefined) === (options.image === undefined)) {
    throw new ValidationError("pass exactly one of --repository (the image is REPOSITORY:SHA, looked up in ECR) or --image URI");
  }
  if (options.repository !== undefined && !options.sha) {
    throw new ValidationError("no commit SHA: pass --sha, or set CIRCLE_SHA1, or run inside a git checkout");
  }
  if (options.services.length === 0) throw new ValidationError("pass at least one --service");
  const ssmPath = normalizeSsmPath(options.ssmPath);
  const mode = options.secureStrings ?? "environment";
  if (mode !== "environment" && mode !== "secrets") throw new ValidationError(`--secure-strings must be "environment" or "secrets", not "${String(mode)}"`);
  parseLiteralEnvironment(options.env ?? []);
  const templates = (options.templates ?? []).map((t) => ({ family: t.family, template: parseTemplate(t.text, t.source) }));
  if (templates.some((t) => t.family === undefined) && templates.length > 1) {
    throw new ValidationError("--template FILE applies to every family, so give it once; for several families use --template FAMILY=FILE for each");
  }
  const services = [...new Set(options.services)];

  const [described, parameters, ecrImage] = await Promise.all([
    describeServices(deps.aws, options.cluster, services, deps.signal),
    readParametersByPath(deps.aws, ssmPath, { onSecret: (value) => deps.redactor.add(value), signal: deps.signal }),
    options.repository !== undefined ? findImage(deps.aws, options.repository, options.sha ?? "", deps.signal) : Promise.resolve(undefined),
  ]);

  const inactive = described.services.filter((s) => s.status !== "ACTIVE");
  const missing = [...described.missing, ...inactive.map((s) => `${s.serviceName ?? "?"} (${s.status ?? "?"})`)];
  if (missing.length > 0) {
    throw new ValidationError(`service${missing.length === 1 ? "" : "s"} not found in cluster ${options.cluster}: ${missing.join(", ")} (check --service and --cluster)`);
  }
  const foreign = described.services.filter((s) => (s.deploymentController?.type ?? "ECS") !== "ECS");
  if (foreign.length > 0) {
    throw new ValidationError(
      `${foreign.map((s) => `${s.serviceName ?? "?"} uses the ${s.deploymentController?.type ?? "?"} deployment controller`).join(", ")}: ecs-release deploys services with the ECS (rolling update) controller only`,
    );
  }
  let image: string;
  let repository: ReleaseRepository;
  if (options.repository !== undefined) {
    if (!ecrImage) {
      throw new ValidationError(
        `image ${options.repository}:${options.sha ?? ""} is not in ECR: the build job may not have run for this commit, or a lifecycle policy expired the image (push it with ecs-release push, or check --repository, --sha and the region)`,
      );
    }
    image = ecrImage.uri;
    repository = { uri: imageRepository(ecrImage.uri), name: options.repository };
  } else {
    image = options.image ?? "";
    repository = { uri: imageRepository(image) };
  }
  if (parameters.length === 0 && !options.allowEmptyEnv) {
    throw new ValidationError(`no SSM parameters under ${ssmPath} (check --ssm-path and the region; pass --allow-empty-env to release with no SSM environment)`);
  }
  const environment = buildEnvironment({ path: ssmPath, parameters, literals: options.env ?? [], mode });
  const secure = new Set(environment.secureNames);
  const isSecret = (name: string): boolean => secure.has(name);

  // Families: each service's own; a template given for one replaces its latest ACTIVE revision.
  const byFamily = new Map<string, Service[]>();
  for (const service of described.services) {
    const family = familyOf(service.taskDefinition ?? "");
    byFamily.set(family, [...(byFamily.get(family) ?? []), service]);
  }
  const families = [...byFamily.keys()];
  const unkeyed = templates.find((t) => t.family === undefined);
  if (unkeyed && families.length > 1) {
    throw new ValidationError(`the services run ${families.length} families (${families.join(", ")}): give a template per family with --template FAMILY=FILE, or none to use each family's latest revision`);
  }
  const unknownFamilies = templates.filter((t) => t.family !== undefined && !byFamily.has(t.family)).map((t) => t.family);
  if (unknownFamilies.length > 0) {
    throw new ValidationError(`--template ${unknownFamilies.join(", ")}=…: no service given runs that family (they run ${families.join(", ")})`);
  }
  const templateFor = (family: string): TaskDefinitionTemplate | undefined => (unkeyed ?? templates.find((t) => t.family === family))?.template;

  // Task definitions: each family's latest ACTIVE revision (unless a template replaces it), then
  // the running revisions not described yet. Concurrently; none twice.
  const describedRevisions = new Map<string, DescribedTaskDefinition>();
  const latest = new Map<string, DescribedTaskDefinition>();
  await Promise.all(
    families
      .filter((family) => templateFor(family) === undefined)
      .map(async (family) => {
        const revision = await describeTaskDefinition(deps.aws, family, deps.signal);
        latest.set(family, revision);
        describedRevisions.set(revision.taskDefinitionArn, revision);
      }),
  );
  const runningArns = [...new Set(described.services.map((s) => s.taskDefinition ?? ""))].filter((arn) => !describedRevisions.has(arn));
  await Promise.all(
    runningArns.map(async (arn) => {
      describedRevisions.set(arn, await describeTaskDefinition(deps.aws, arn, deps.signal));
    }),
  );

  // Render one revision per family.
  const plans: FamilyPlan[] = families.map((family) => {
    const fileTemplate = templateFor(family);
    const base = fileTemplate ?? toTemplate(latest.get(family));
    return { sourceFamily: family, services: byFamily.get(family) ?? [], template: base, fromFile: fileTemplate !== undefined, containers: [] };
  });
  const releasedAt = options.releasedAt ?? new Date(clock.now()).toISOString();
  const releaseTags = releaseTagMap(options, image, releasedAt);
  const problems: string[] = [];
  for (const plan of plans) {
    plan.containers = selectContainers(plan.template.input.containerDefinitions, {
      ...(options.containers && options.containers.length > 0 ? { names: options.containers } : {}),
      repository,
      source: plan.fromFile ? `template ${plan.template.source}` : `task definition ${revisionName(plan.template.source)}`,
    });
    plan.rendered = renderTaskDefinition({ template: plan.template, fromFile: plan.fromFile, containers: plan.containers, image, environment, ssmPath, releaseTags });
    problems.push(...checkTaskDefinitionLimits(plan.rendered.input, plan.rendered.tags));
    if (needsExecutionRole(plan.rendered.input) && !plan.rendered.input.executionRoleArn) {
      problems.push(`family ${plan.rendered.input.family} has container secrets but no executionRoleArn: ECS needs an execution role that may read the parameters${mode === "secrets" ? " (--secure-strings secrets)" : ""}`);
    }
  }
  const named = options.containers ?? [];
  const unknownContainers = named.filter((name) => !plans.some((p) => p.template.input.containerDefinitions.some((c) => c.name === name)));
  if (unknownContainers.length > 0) {
    throw new ValidationError(`--container ${unknownContainers.join(", ")}: no such container in ${plans.map((p) => p.template.input.family).join(", ")}`);
  }
  const targetFamilies = new Map<string, FamilyPlan>();
  for (const plan of plans) {
    const target = plan.rendered?.input.family ?? plan.sourceFamily;
    const other = targetFamilies.get(target);
    if (other && other.template !== plan.template) problems.push(`two templates register family ${target} (${other.template.source}, ${plan.template.source})`);
    targetFamilies.set(target, plan);
  }
  if (problems.length > 0) throw new ValidationError(problems.join("; "), { problems });

  // Step 7: warn about unprotected services; refuse a service already rolling out unless --force.
  for (const service of described.services) for (const warning of deploymentConfigurationWarnings(service)) warn(warning);
  const busy = described.services.filter(hasDeploymentInProgress);
  if (busy.length > 0) {
    const names = busy.map((s) => `${s.serviceName ?? "?"} (${(s.deployments ?? []).map((d) => `${d.status ?? "?"} ${revisionName(d.taskDefinition ?? "")} ${d.rolloutState ?? ""}`.trim()).join(", ")})`);
    if (!options.force) {
      throw new ValidationError(`a deployment is already in progress on ${names.join("; ")}: wait for it (ecs-release status) or pass --force to release over it`);
    }
    warn(`releasing over a deployment in progress (--force): ${names.join("; ")}`);
  }
  if (environment.clashes.length > 0) warn(`--env ${environment.clashes.join(", ")} ${environment.clashes.length === 1 ? "is" : "are"} also in SSM under ${ssmPath}: the SSM value wins`);

  log.info(
    `verified: cluster ${options.cluster}, ${plural(services.length, "service")} (${services.join(", ")}), image ${image}, ${plural(parameters.length, "parameter")} under ${ssmPath}${environment.secureNames.length > 0 ? ` (${plural(environment.secureNames.length, "SecureString")}, as ${mode})` : ""}`,
  );

  // Re-release of an older SHA: how today's environment differs from the one it was released with.
  const drift = await findEnvironmentDrift(plans, describedRevisions, options, ecrImage?.pushedAt, isSecret, deps);

  const result: ReleaseResult = {
    cluster: options.cluster,
    sha: options.sha ?? null,
    image,
    dryRun: options.dryRun === true,
    environment: {
      ssmPath,
      variables: environment.environment.map((e) => e.name),
      secrets: environment.secureNames,
      mode,
      clashes: environment.clashes,
    },
    revisions: plans.map((plan) => ({
      family: plan.rendered?.input.family ?? plan.sourceFamily,
      taskDefinitionArn: null,
      renderedFrom: plan.template.source,
      containers: plan.containers,
      services: plan.services.map((s) => s.serviceName ?? ""),
      outcome: null,
    })),
    services: described.services.map((s) => ({ service: s.serviceName ?? "", from: s.taskDefinition ?? "", to: null, deploymentId: null, outcome: "dry-run" as const })),
    warnings,
    drift,
    phases,
  };

  options.verifyPlanned?.(
    [...targetFamilies.values()].map((plan) => {
      const family = plan.rendered?.input.family ?? plan.sourceFamily;
      return {
        family,
        containers: plan.containers,
        containerNames: (plan.rendered?.input.containerDefinitions ?? []).map((c) => c.name ?? ""),
        services: plans.filter((p) => (p.rendered?.input.family ?? p.sourceFamily) === family).flatMap((p) => p.services.map((s) => s.serviceName ?? "")),
      };
    }),
  );

  // --- 6. dry run: the difference against what runs now -----------------------------------------
  if (options.dryRun) {
    const diffs: TaskDefinitionDiff[] = [];
    for (const plan of plans) {
      for (const arn of new Set(plan.services.map((s) => s.taskDefinition ?? ""))) {
        const running = describedRevisions.get(arn);
        if (!running || !plan.rendered) continue;
        const diff = diffTaskDefinitions(toTemplate(running).input, plan.rendered.input, isSecret);
        diffs.push(diff);
        const users = plan.services.filter((s) => s.taskDefinition === arn).map((s) => s.serviceName ?? "");
        for (const line of formatTaskDefinitionDiff(diff, `dry run: ${users.join(", ")} would go from ${revisionName(arn)} to a new revision of ${plan.rendered.input.family}:`)) log.info(line);
      }
    }
    phases.verifyMs = clock.now() - started;
    log.info("dry run: nothing was written");
    return { ...result, diff: diffs };
  }
  phases.verifyMs = clock.now() - started;

  // --- 4. register one revision per family -------------------------------------------------------
  // A signal that came between two reads must not be followed by writes.
  if (deps.signal.aborted) throw new InterruptedError(NOTHING_WRITTEN);
  progress.writing = true;
  const registerStart = clock.now();
  await Promise.all(
    [...targetFamilies.values()].map(async (plan) => {
      if (!plan.rendered) return;
      plan.registeredArn = await registerTaskDefinition(deps.aws, plan.rendered.input, plan.rendered.tags);
      log.info(`registered ${revisionName(plan.registeredArn)} (${plan.containers.join(", ")}: ${image})`);
    }),
  );
  const arnFor = (plan: FamilyPlan): string => targetFamilies.get(plan.rendered?.input.family ?? plan.sourceFamily)?.registeredArn ?? "";
  const revisions = plans.map((plan, i) => ({ ...result.revisions[i]!, taskDefinitionArn: arnFor(plan) }));
  phases.registerMs = clock.now() - registerStart;
  const registered: RegisteredRevision[] = [...targetFamilies.values()].map((plan) => ({
    family: plan.rendered?.input.family ?? plan.sourceFamily,
    taskDefinitionArn: plan.registeredArn ?? "",
    containers: plan.containers,
    services: plans.filter((p) => arnFor(p) === plan.registeredArn).flatMap((p) => p.services.map((s) => s.serviceName ?? "")),
  }));
  if (options.beforeUpdate) await options.beforeUpdate(registered);
  if (deps.signal.aborted) {
    throw new InterruptedError(`interrupted before updating any service: ${registered.map((r) => revisionName(r.taskDefinitionArn)).join(", ")} registered but not rolled out (run the release again)`, {
      result: { ...result, revisions },
    });
  }

  // --- 5. update every service at once, then wait for all ---------------------------------------
  const updateStart = clock.now();
  const targets = plans.flatMap((plan) => plan.services.map((service) => ({ service: service.serviceName ?? "", taskDefinitionArn: arnFor(plan) })));
  const { started: started_, failure } = await updateServices(deps.aws, options.cluster, targets);
  phases.updateMs = clock.now() - updateStart;
  const serviceResults = (report?: RolloutReport): ReleaseServiceResult[] =>
    described.services.map((s) => {
      const name = s.serviceName ?? "";
      const update = started_.find((u) => u.service === name);
      const outcome = report?.outcomes.find((o) => o.service === name);
      if (!update) return { service: name, from: s.taskDefinition ?? "", to: null, deploymentId: null, outcome: "not-updated" as const };
      return {
        service: name,
        from: s.taskDefinition ?? "",
        to: update.taskDefinitionArn,
        deploymentId: update.deploymentId,
        outcome: outcome ? outcome.state : ("not-waited" as const),
        ...(outcome ? { reason: outcome.reason } : {}),
        ...(outcome?.fallenBackTo !== undefined ? { fallenBackTo: outcome.fallenBackTo } : {}),
      };
    });
  if (failure !== undefined) {
    const updatedNames = started_.map((u) => `${u.service} → ${revisionName(u.taskDefinitionArn)}`);
    const already = updatedNames.length > 0 ? ` (already updated: ${updatedNames.join(", ")}; those roll out regardless)` : " (no service was updated)";
    throw partialUpdateError(failure, already, { ...result, revisions, services: serviceResults() });
  }
  for (const u of started_) log.info(`updated ${u.service} to ${revisionName(u.taskDefinitionArn)} (deployment ${u.deploymentId})`);

  if (options.wait === false) {
    log.info(`not waiting (--no-wait): follow with ecs-release status --cluster ${options.cluster} ${services.map((s) => `--service ${s}`).join(" ")}`);
    return { ...result, revisions, services: serviceResults() };
  }

  const waitStart = clock.now();
  log.info(`waiting for ${plural(started_.length, "rollout")} (timeout ${formatDuration(options.timeoutMs)}, polling every ${formatDuration(options.pollIntervalMs)})`);
  const report = await waitForRollouts(
    {
      cluster: options.cluster,
      targets: rolloutTargetsOf(started_, described.services),
      timeoutMs: options.timeoutMs,
      pollIntervalMs: options.pollIntervalMs,
      knownEventIds: described.services.flatMap((s) => (s.events ?? []).map((e) => e.id ?? "")),
    },
    deps,
  );
  phases.waitMs = clock.now() - waitStart;

  // Record each revision's outcome when it is known: stable when every service on it completed,
  // failed as soon as one failed.
  const tagged = await Promise.all(
    registered.map(async (revision) => {
      const outcomes = report.outcomes.filter((o) => o.taskDefinitionArn === revision.taskDefinitionArn);
      // A superseded rollout says nothing about the revision itself: no outcome is recorded for it.
      const judged = outcomes.filter((o) => o.state !== "superseded");
      const value = judged.some((o) => isFailure(o.state)) ? "failed" : outcomes.length > 0 && outcomes.every((o) => o.state === "completed") ? "stable" : null;
      if (value === null) return [revision.taskDefinitionArn, null] as const;
      try {
        await tagResource(deps.aws, revision.taskDefinitionArn, { [TAG.outcome]: value });
        log.info(`tagged ${revisionName(revision.taskDefinitionArn)} ${TAG.outcome}=${value}`);
      } catch (error) {
        warn(`could not record the outcome on ${revisionName(revision.taskDefinitionArn)}: ${error instanceof Error ? error.message : String(error)}`);
      }
      return [revision.taskDefinitionArn, value] as const;
    }),
  );
  const outcomeOf = new Map(tagged);
  const final: ReleaseResult = {
    ...result,
    revisions: revisions.map((r) => ({ ...r, outcome: outcomeOf.get(r.taskDefinitionArn) ?? null })),
    services: serviceResults(report),
  };
  const error = rolloutReportError(report, options.cluster, final);
  if (error) throw error;
  log.info(`released ${registered.map((r) => revisionName(r.taskDefinitionArn)).join(", ")}: ${plural(started_.length, "service")} stable in ${formatDuration(clock.now() - started)}`);
  return final;
}

function toTemplate(revision: DescribedTaskDefinition | undefined): TaskDefinitionTemplate {
  if (!revision) throw new ValidationError("internal: a family without a described revision");
  return templateFromRevision(revision.taskDefinition, Object.entries(revision.tags).map(([key, value]) => ({ key, value })), revision.taskDefinitionArn);
}

function releaseTagMap(options: ReleaseOptions, image: string, releasedAt: string): Record<string, string> {
  const tags: Record<string, string> = { [TAG.image]: image, [TAG.releasedAt]: releasedAt, [TAG.version]: options.metadata.version };
  if (options.sha) tags[TAG.sha] = options.sha;
  if (options.metadata.releasedBy) tags[TAG.releasedBy] = options.metadata.releasedBy;
  if (options.metadata.pipeline) tags[TAG.pipeline] = options.metadata.pipeline;
  if (options.metadata.jobUrl) tags[TAG.jobUrl] = options.metadata.jobUrl;
  return tags;
}

/**
 * When the image is older than the revision running now (pushed before it was registered) and
 * that revision runs another SHA, this is a re-release of an older commit: find the newest revision
 * of the family tagged with that SHA (bounded scan, newest first) and compare its application
 * environment with today's. A forward release of a new commit costs no extra call.
 */
async function findEnvironmentDrift(
  plans: readonly FamilyPlan[],
  describedRevisions: Map<string, DescribedTaskDefinition>,
  options: ReleaseOptions,
  pushedAt: Date | undefined,
  isSecret: (name: string) => boolean,
  deps: ReleaseDeps,
): Promise<ReleaseResult["drift"]> {
  const sha = options.sha;
  if (!sha || pushedAt === undefined) return [];
  const drift: Array<{ family: string; releasedIn: string; changes: EnvironmentChange[] }> = [];
  for (const plan of plans) {
    const rendered = plan.rendered;
    if (!rendered) continue;
    const running = [...new Set(plan.services.map((s) => s.taskDefinition ?? ""))].map((arn) => describedRevisions.get(arn)).filter((r): r is DescribedTaskDefinition => r !== undefined);
    if (running.length === 0 || running.some((r) => r.tags[TAG.sha] === sha)) continue;
    const newestRegistered = Math.max(...running.map((r) => registeredAtOf(r) ?? 0));
    // ECR's imagePushedAt has whole seconds: a push in the same second as the registration is
    // ambiguous, and taken as a forward release (no scan), not as a re-release of an older commit.
    if (!(pushedAt.getTime() < Math.floor(newestRegistered / 1_000) * 1_000)) continue;

    const family = plan.sourceFamily;
    let found = [...describedRevisions.values()].find((r) => familyOf(r.taskDefinitionArn) === family && r.tags[TAG.sha] === sha);
    if (!found) {
      const arns = (await listRevisionArns(deps.aws, family, options.historyScanLimit ?? DEFAULT_HISTORY_SCAN, "ACTIVE", deps.signal)).filter((arn) => !describedRevisions.has(arn));
      for (let i = 0; i < arns.length && !found; i += 5) {
        const batch = await Promise.all(arns.slice(i, i + 5).map((arn) => describeTaskDefinition(deps.aws, arn, deps.signal)));
        for (const revision of batch) describedRevisions.set(revision.taskDefinitionArn, revision);
        found = batch.find((r) => r.tags[TAG.sha] === sha);
      }
    }
    if (!found) {
      deps.log.info(`${family}: ${sha.slice(0, 12)} is older than what runs, but no revision among the newest ${options.historyScanLimit ?? DEFAULT_HISTORY_SCAN} records it: no environment to compare with`);
      continue;
    }
    const oldContainers = (found.taskDefinition["containerDefinitions"] as Array<Record<string, unknown>> | undefined) ?? [];
    const appContainer = plan.containers[0] ?? "";
    const before = oldContainers.find((c) => c["name"] === appContainer) ?? {};
    const after = rendered.input.containerDefinitions.find((c) => c.name === appContainer) ?? {};
    const changes = diffEnvironment(before as Parameters<typeof containerEnvironment>[0], after, isSecret);
    drift.push({ family, releasedIn: found.taskDefinitionArn, changes });
    deps.log.info(
      changes.length === 0
        ? `re-releasing ${sha.slice(0, 12)}, first released as ${revisionName(found.taskDefinitionArn)}: the environment is the same as then`
        : `re-releasing ${sha.slice(0, 12)}, first released as ${revisionName(found.taskDefinitionArn)}: today's environment differs (${changes.length} ${changes.length === 1 ? "change" : "changes"}):`,
    );
    for (const line of formatEnvironmentChanges(changes)) deps.log.info(line);
  }
  return drift;
}

/** When a revision was registered: ECS's registeredAt, else the release time we recorded in its tags. */
function registeredAtOf(revision: DescribedTaskDefinition): number | undefined {
  const raw = revision.taskDefinition["registeredAt"] ?? revision.tags[TAG.releasedAt];
  if (typeof raw === "number") return raw < 1e12 ? raw * 1000 : raw;
  if (typeof raw === "string") {
    const parsed = Date.parse(raw);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

