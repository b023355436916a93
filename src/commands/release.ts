/**
 * `ecs-release release` (cli.md): render one forward revision per family from the commit's image
 * and the SSM environment, update every service at once, and wait for each rollout to its real end.
 *
 * Phases: resolve the commit SHA (src/git/commit-sha.ts); verify (every read, every check — the
 * pre-deploy task's too, and the saved plan compared — nothing is written before all pass; a dry run
 * ends here, writing its plan file); register; run the pre-deploy task (commands/pre-deploy.ts);
 * update; wait. Reads are as few as the checks allow and run concurrently: one DescribeServices per 10
 * services, GetParametersByPath pages of 10, one DescribeImages, one DescribeTaskDefinition (with
 * tags) per family — plus one per running revision that is not its family's latest, and, only when
 * an image older than the running revision is released again, a bounded scan for the revision that
 * SHA was first released with (to report how the environment drifted).
 */
import { randomUUID } from "node:crypto";
import type { Service } from "@aws-sdk/client-ecs";
import type { AwsClients } from "../aws/clients.js";
import { describeServices, describeTaskDefinition, partialUpdateError, registerTaskDefinition, tagResource, updateServices, type DescribedTaskDefinition, type StartedDeployment } from "../aws/ecs.js";
import { deregisterRevision, RevisionLister } from "../aws/task-definitions.js";
import { findImage, listImageTags } from "../aws/ecr.js";
import { putSnapshot } from "../aws/secrets-manager.js";
import { referenceSnapshot, snapshotDocument, snapshotSecretName } from "../core/secret-snapshot.js";
import { readParametersByPath } from "../aws/ssm.js";
import { waitForRollouts } from "../aws/wait-rollout.js";
import { withStoppedTaskLogs } from "./task-logs.js";
import { timeoutTooShort } from "../core/strategy-time.js";
import { rolloutReportError, type RolloutReport } from "../core/rollout-report.js";
import type { Clock } from "../core/clock.js";
import { diffTaskDefinitions, formatTaskDefinitionDiff, recordedSecretValues, type EnvironmentChange, type TaskDefinitionDiff } from "../core/diff.js";
import { formatCommandLine } from "../core/command-line.js";
import { formatDuration } from "../core/duration.js";
import { InterruptedError, isInterruptedError, ValidationError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { Redactor } from "../core/redact.js";
import type { ReleaseMetadata } from "../core/release-metadata.js";
import {
  checkDeploymentsInProgress,
  checkDescribedServices,
  checkParametersFound,
  checkReleaseRequest,
  environmentClashWarning,
  groupServicesByFamily,
  matchTemplates,
  planFamilies,
  releaseEnvironment,
  releaseTagMap,
  resolveReleaseImage,
  shortSecureStringWarning,
  inlineSecretsWarning,
  servicesOfTarget,
  targetFamily,
  verifiedSummary,
  type FamilyPlan,
  type ReleasePlan,
  type ReleaseRequest,
} from "../core/release-plan.js";
import { plural } from "../core/plural.js";
import { checkDeploymentSettings } from "../core/deployment-settings.js";
import { environmentOf, inEnvironment, revisionOutcome, type RecordedOutcome } from "../core/revision-record.js";
import { deploymentConfigurationWarnings, revisionName, rolloutTargetsOf, type RolloutStateKind } from "../core/rollout-state.js";
import type { StoppedTaskReason } from "../core/stopped-tasks.js";
import type { ReleaseRepository } from "../core/select-containers.js";
import { buildEnvironment, type RenderedEnvironment, type SecureStringMode } from "../core/ssm-environment.js";
import { recordedSecureNames, TAG } from "../core/tags.js";
import { templateFromRevision, type TaskDefinitionInput, type TaskDefinitionTemplate } from "../core/template.js";
import { findEnvironmentDrift } from "./release-drift.js";
import { snapshotResolver, type SnapshotResolver } from "./snapshot-values.js";
import { adoptionWarnings, checkAdoption, findAdoption, type AdoptionFinding } from "../core/adoption.js";
import type { ScheduledMove } from "../core/scheduled-tasks.js";
import { logPlannedMoves, moveScheduledTasks, readScheduledTasks, type ScheduledTasks } from "./scheduled-tasks.js";
import type { PlanSubject } from "../core/release-plan-file.js";
import { isShaPrefix, matchShaPrefix, shaPrefixError, type GitHead } from "../core/commit-sha.js";
import { resolveCommitSha } from "../git/commit-sha.js";
import { checkPreDeploy, runPreDeploy, type PreDeployOptions, type PreDeployRequest } from "./pre-deploy.js";
import { checkPlanFile, checkPlanFileOptions, writePlanFile, type PlanFileOptions } from "./release-plan-file.js";
import { checkPreflight, type PreflightOptions } from "./preflight.js";
import { arnAccountAndRegion } from "../core/ecr-image.js";
import type { PreflightCheck, PreflightRevision } from "../core/preflight.js";

/** A template file as the CLI read it. */
export interface TemplateSource {
  /** The family it applies to (`--template FAMILY=FILE`); undefined: every family (there must be one). */
  readonly family?: string;
  /** The file name, for messages. */
  readonly source: string;
  readonly text: string;
}

/** A revision this release is about to register (what the pre-deploy check gets). */
export interface PlannedRevision {
  readonly family: string;
  /** The application containers that get the image and environment. */
  readonly containers: readonly string[];
  /** Every container of the rendered revision. */
  readonly containerNames: readonly string[];
  readonly services: readonly string[];
}

/** A revision registered by this release (what the pre-deploy task runs from). */
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
  /**
   * `--environment`: what the new revisions record as their environment (TAG.environment; default
   * the cluster's name, releaseEnvironment). The template is the family's newest revision of it.
   */
  readonly environment?: string;
  /** ECR repository: the image is `repository:sha`, which must exist. Exclusive with `image`. */
  readonly repository?: string;
  /** A full image URI, used as is (no ECR lookup). Exclusive with `repository`. */
  readonly image?: string;
  /**
   * `--sha`: the commit, recorded as TAG.sha (the image's tag with `repository`). Without it, the
   * image's full-SHA tag, `circleSha1`, or git HEAD (core/commit-sha.ts; required with `repository`).
   */
  readonly sha?: string;
  /** `$CIRCLE_SHA1`: the pipeline's commit, when --sha is not given. */
  readonly circleSha1?: string;
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
  /** `--until-paused`: the wait ends (exit 0) where a deployment waits at a PAUSE lifecycle hook. */
  readonly untilPaused?: boolean;
  readonly metadata: ReleaseMetadata;
  /** ISO time recorded as TAG.releasedAt (default: the clock's now). */
  readonly releasedAt?: string;
  /** How many of a family's newest revisions to scan for the one an older SHA was released with (default 50). */
  readonly historyScanLimit?: number;
  /**
   * `--pre-deploy-*`: a one-off task (commands/pre-deploy.ts) run from the new revision of the first
   * service's family, after the revisions are registered and before any service is updated; checked
   * with everything else before anything is written. Its failure stops the release, nothing rolled out.
   */
  readonly preDeploy?: PreDeployRequest;
  /**
   * `--plan-file` / `--accept-drift` (commands/release-plan-file.ts): a dry run saves what it would
   * register; a release compares with the saved plan after every check and before anything is
   * written, and refuses (exit 2) when it no longer holds, unless `acceptDrift`.
   */
  readonly planFile?: PlanFileOptions;
  /**
   * `--adopt` (core/adoption.ts): render from revisions ecs-release did not register — the first
   * release over a hand-written (Terraform, CDK) revision, dropping the variables listed, or a revision
   * registered after the running one. Without it (or an approved plan file) those are refused.
   */
  readonly adopt?: boolean;
  /**
   * `--update-schedules` (commands/scheduled-tasks.ts): once the services are stable, point the
   * EventBridge rule targets and Scheduler schedules that run a revision of a released family at the
   * new revision (read with the checks; a dry run lists them).
   */
  readonly updateSchedules?: boolean;
  /**
   * `--skip-check`: pre-flight checks (commands/preflight.ts) not to run — for a role that may not
   * read IAM, CloudWatch Logs or the parameters' metadata. Every other check runs before any write.
   */
  readonly skipChecks?: readonly PreflightCheck[];
}

/** What `release` needs from outside. */
export interface ReleaseDeps {
  readonly aws: AwsClients;
  readonly log: Logger;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly redactor: Redactor;
  /** `git rev-parse HEAD` when no SHA is given otherwise (default: src/git/commit-sha.ts's). */
  readonly readGitHead?: () => Promise<GitHead>;
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
  /** A failed deployment: why a few of its tasks stopped (stoppedReason, stopCode, containers' exit codes and reasons). */
  readonly stoppedTasks?: readonly StoppedTaskReason[];
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
    /** never-ran: every rollout completed with a desired count of 0 (no task of it ran: not known-good). */
    readonly outcome: RecordedOutcome | null;
  }>;
  readonly services: ReleaseServiceResult[];
  readonly warnings: string[];
  /** Dry run: the changes against what runs now, per family. */
  readonly diff?: TaskDefinitionDiff[];
  /** Re-release of an older SHA: how today's environment differs from the one it was released with. */
  readonly drift: Array<{ readonly family: string; readonly releasedIn: string; readonly changes: readonly EnvironmentChange[] }>;
  /** Milliseconds per phase. */
  readonly phases: { verifyMs: number; registerMs: number; updateMs: number; waitMs: number };
  /** `--update-schedules`: the scheduled tasks pointed at the new revisions (dry run: that would be). */
  readonly schedules?: readonly ScheduledMove[];
}


const NOTHING_WRITTEN = "interrupted before anything was written: no revision registered, no service updated";

/** Runs a release. Throws ValidationError (exit 2) before any write; see ReleaseResult for the rest. */
export async function run(options: ReleaseOptions, deps: ReleaseDeps): Promise<ReleaseResult> {
  const progress = { writing: false };
  try {
    checkPlanFileOptions(options.planFile, options.dryRun === true);
    const given = await resolveCommitSha({ flag: options.sha, image: options.image, circleSha1: options.circleSha1 }, options.repository !== undefined, deps.readGitHead);
    const sha = await resolveShaPrefix(given, options.repository, deps);
    return await release({ ...options, ...(sha !== undefined ? { sha } : {}) }, deps, progress);
  } catch (error) {
    // A signal that aborted one of the reads: say plainly that nothing was written.
    if (isInterruptedError(error) && !progress.writing) throw new InterruptedError(NOTHING_WRITTEN, { cause: error });
    throw error;
  }
}

/**
 * A SHA as people copy it (`git log --oneline`, `history`): with `--repository`, a prefix of 7 or more
 * hex digits is resolved to the one full-SHA tag in ECR that starts with it (one ListImages listing),
 * so the image and TAG.sha are the full commit; none or several: exit 2, nothing read further.
 */
async function resolveShaPrefix(sha: string | undefined, repository: string | undefined, deps: ReleaseDeps): Promise<string | undefined> {
  if (sha === undefined || repository === undefined || !isShaPrefix(sha)) return sha;
  const match = matchShaPrefix(sha, await listImageTags(deps.aws, repository, deps.signal));
  if (match.kind === "none" || match.kind === "ambiguous") throw shaPrefixError(sha, repository, match);
  if (match.sha !== sha) deps.log.info(`--sha ${sha} is ${match.sha} (its image in ECR repository ${repository})`);
  return match.sha;
}

/** What the verify phase established: everything the writes need. */
interface Verified {
  /** The services, as DescribeServices returned them before the release. */
  readonly described: readonly Service[];
  /** The service names given, without duplicates. */
  readonly services: readonly string[];
  /** Every revision described so far, by ARN (the drift scan adds to it). */
  readonly describedRevisions: Map<string, DescribedTaskDefinition>;
  readonly plan: ReleasePlan;
  readonly image: string;
  /** The tag the image was found by (`REPOSITORY:SHA`), when it is pinned by digest. */
  readonly imageTag: string | undefined;
  /** The rendered environment (values included: never printed). */
  readonly environment: RenderedEnvironment;
  readonly isSecret: (name: string) => boolean;
  /** Revisions rendered from that ecs-release did not register (refused unless adopted). */
  readonly adoption: readonly AdoptionFinding[];
  /** `--update-schedules`: the scheduled ECS tasks, as read. */
  readonly scheduled: ScheduledTasks | undefined;
  /** The result of a release that writes nothing (a dry run): the base of every other result. */
  readonly result: ReleaseResult;
}

/** What the register phase wrote. */
interface Registration {
  /** The result's revisions, with their ARNs (in plan order). */
  readonly revisions: Array<ReleaseResult["revisions"][number] & { readonly taskDefinitionArn: string }>;
  readonly registered: RegisteredRevision[];
  /** The ARN a plan's services are updated to. */
  readonly arnFor: (plan: FamilyPlan) => string;
}

/** The phases, in order. Results and errors after the first write carry the result so far. */
async function release(options: ReleaseOptions, deps: ReleaseDeps, progress: { writing: boolean }): Promise<ReleaseResult> {
  const { log, clock } = deps;
  const started = clock.now();
  // Both are shared with every result (by reference): later phases add to them.
  const phases = { verifyMs: 0, registerMs: 0, updateMs: 0, waitMs: 0 };
  const warnings: string[] = [];
  const warn = (message: string): void => {
    warnings.push(message);
    log.warn(message);
  };

  const verified = await verify(options, deps, warn, { warnings, phases });
  if (options.preDeploy) await checkPreDeploy(preDeployOptions(options, options.preDeploy), plannedRevisions(verified.plan), deps);
  await checkPreflight(preflightRevisions(verified), preflightOptions(options, verified, deps), deps);
  if (options.dryRun) {
    const result = await dryRun(options, verified, deps, warn);
    phases.verifyMs = clock.now() - started;
    log.info("dry run: nothing was written");
    return result;
  }
  const approvedPlan = options.planFile ? await checkPlanFile(options.planFile, planSubject(options, verified), deps) : false;
  for (const line of checkAdoption(verified.adoption, verified.result.environment.ssmPath, { adopt: options.adopt === true, approvedPlan })) warn(line);
  phases.verifyMs = clock.now() - started;

  // A signal that came between two reads must not be followed by writes.
  if (deps.signal.aborted) throw new InterruptedError(NOTHING_WRITTEN);
  progress.writing = true;
  const registerStart = clock.now();
  const registration = await registerRevisions(await snapshotSecrets(verified, deps), deps);
  phases.registerMs = clock.now() - registerStart;
  await runBeforeUpdate(options, verified, registration, deps);

  const updated = await updateAllServices(options, verified, registration, deps, phases);
  if (options.wait === false) {
    log.info(`not waiting (--no-wait): follow with ecs-release status --cluster ${options.cluster} ${verified.services.map((s) => `--service ${s}`).join(" ")}`);
    return { ...verified.result, revisions: registration.revisions, services: serviceResults(verified.described, updated) };
  }
  const waited = await waitForOutcomes(options, verified, registration, updated, deps, warn, phases);
  const final = verified.scheduled
    ? { ...waited, schedules: await moveScheduledTasks(verified.scheduled, new Map(registration.registered.map((r) => [r.family, r.taskDefinitionArn])), deps, warn) }
    : waited;
  log.info(releasedLine(final, updated.length, formatDuration(clock.now() - started)));
  return final;
}

/**
 * Phase 1, verify: the checks that need no call, the reads (concurrently), the checks of what was
 * read, the rendered revisions; then the warnings, the summary line, and the environment drift.
 */
async function verify(
  options: ReleaseOptions,
  deps: ReleaseDeps,
  warn: (message: string) => void,
  shared: { readonly warnings: string[]; readonly phases: ReleaseResult["phases"] },
): Promise<Verified> {
  const request = checkReleaseRequest(options);
  const sources = await readSources(options, request, deps);
  const { described, image, environment } = sources;
  // A wait shorter than the services' strategies take (LINEAR's steps, bake times) can only time out.
  const tooShort = options.wait === false || options.untilPaused === true ? undefined : timeoutTooShort(described, options.timeoutMs);
  if (tooShort !== undefined) throw new ValidationError(`release: ${tooShort}`);
  const secure = new Set(environment.secureNames);
  const isSecret = (name: string): boolean => secure.has(name);
  const { plan, describedRevisions, adoption } = await planRelease(options, request, sources, isSecret, deps);

  // Step 7: warn about unprotected services; refuse a service already rolling out unless --force.
  for (const service of described) for (const warning of deploymentConfigurationWarnings(service)) warn(warning);
  checkRolloutCanProgress(described, options.timeoutMs, warn);
  const forced = checkDeploymentsInProgress(described, options.force === true);
  if (forced !== undefined) warn(forced);
  const clash = environmentClashWarning(environment.clashes, request.ssmPath);
  if (clash !== undefined) warn(clash);
  if (sources.shortSecrets !== undefined) warn(sources.shortSecrets);
  const inline = inlineSecretsWarning(request.mode, environment.secureNames);
  if (inline !== undefined) warn(inline);
  const { ssmPath, mode, services } = request;
  deps.log.info(verifiedSummary({ cluster: options.cluster, services, image, parameterCount: sources.parameterCount, ssmPath, secureCount: environment.secureNames.length, mode }));

  // Re-release of an older SHA: how today's environment differs from the one it was released with.
  const drift = await findEnvironmentDrift(plan.plans, describedRevisions, { ...options, environment: releaseEnvironment(options.environment, options.cluster) }, sources.pushedAt, isSecret, { ...deps, rememberOldSecrets: (revision) => rememberOldSecrets(revision, isSecret, deps.redactor), resolveSnapshots: snapshotResolver(deps) });
  const result = unwrittenResult(options, request, { described, image, environment, plan }, { ...shared, drift });
  const scheduled = options.updateSchedules ? await readScheduledTasks(deps) : undefined;
  return { described, services, describedRevisions, plan, image, imageTag: sources.imageTag, environment, isSecret, adoption, scheduled, result };
}

/**
 * The revisions to register: each service's family, rendered from the template given for it or from
 * its latest ACTIVE revision (described here, with the running ones), with the image and environment.
 */
async function planRelease(
  options: ReleaseOptions,
  request: ReleaseRequest,
  sources: Awaited<ReturnType<typeof readSources>>,
  isSecret: (name: string) => boolean,
  deps: ReleaseDeps,
): Promise<{ plan: ReleasePlan; describedRevisions: Map<string, DescribedTaskDefinition>; adoption: AdoptionFinding[] }> {
  const byFamily = groupServicesByFamily(sources.described);
  const families = [...byFamily.keys()];
  const fileTemplates = matchTemplates(request.templates, families);
  const revisionFamilies = families.filter((family) => !fileTemplates.has(family));
  const environment = releaseEnvironment(options.environment, options.cluster);
  const scan = { environment, limit: options.historyScanLimit ?? 50 };
  const { latest, describedRevisions } = await describeRevisions(revisionFamilies, sources.described, scan, deps);
  // Old values that were secret (recorded so) or are today go to the redactor too.
  for (const revision of describedRevisions.values()) rememberOldSecrets(revision, isSecret, deps.redactor);
  const releasedAt = options.releasedAt ?? new Date(deps.clock.now()).toISOString();
  const plan = planFamilies({
    byFamily,
    fileTemplates,
    latest: new Map(revisionFamilies.map((family) => [family, toTemplate(latest.get(family))])),
    containers: options.containers ?? [],
    repository: sources.repository,
    image: sources.image,
    environment: sources.environment,
    ssmPath: request.ssmPath,
    mode: request.mode,
    // The tag, for people (history, status); the containers get the digest.
    releaseTags: releaseTagMap({ ...options, place: { environment, cluster: options.cluster, ssmPath: request.ssmPath } }, sources.imageTag ?? sources.image, releasedAt),
  });
  const adoption = plan.plans.flatMap((p) => findAdoption({ ...p, recordTags: latest.get(p.sourceFamily)?.tags ?? {} }) ?? []);
  return { plan, describedRevisions, adoption };
}

/** Deployment settings under which no rollout can finish: exit 2 naming each; those that only outlast --timeout: warnings. */
function checkRolloutCanProgress(services: readonly Service[], timeoutMs: number, warn: (message: string) => void): void {
  const checks = services.map((service) => checkDeploymentSettings(service, timeoutMs));
  for (const warning of checks.flatMap((c) => c.warnings)) warn(warning);
  const problems = checks.flatMap((c) => c.problems);
  if (problems.length > 0) throw new ValidationError(problems.join("; "), { problems });
}

/** The result of a release that writes nothing (a dry run): the base of every other result. */
function unwrittenResult(
  options: ReleaseOptions,
  request: ReleaseRequest,
  verified: { readonly described: readonly Service[]; readonly image: string; readonly environment: RenderedEnvironment; readonly plan: ReleasePlan },
  shared: { readonly warnings: string[]; readonly phases: ReleaseResult["phases"]; readonly drift: ReleaseResult["drift"] },
): ReleaseResult {
  const { environment, plan } = verified;
  return {
    cluster: options.cluster,
    sha: options.sha ?? null,
    image: verified.image,
    dryRun: options.dryRun === true,
    environment: { ssmPath: request.ssmPath, variables: environment.environment.map((e) => e.name), secrets: environment.secureNames, mode: request.mode, clashes: environment.clashes },
    revisions: plan.plans.map((p) => ({
      family: targetFamily(p),
      taskDefinitionArn: null,
      renderedFrom: p.template.source,
      containers: p.containers,
      services: p.services.map((s) => s.serviceName ?? ""),
      outcome: null,
    })),
    services: verified.described.map((s) => ({ service: s.serviceName ?? "", from: s.taskDefinition ?? "", to: null, deploymentId: null, outcome: "dry-run" as const })),
    warnings: shared.warnings,
    drift: shared.drift,
    phases: shared.phases,
  };
}

/**
 * The reads of the verify phase that need only the flags, concurrently — the services, the SSM
 * parameters (each SecureString value goes to the redactor as it is read), the ECR image — and the
 * checks of what they returned.
 */
async function readSources(
  options: ReleaseOptions,
  request: ReleaseRequest,
  deps: ReleaseDeps,
): Promise<{ described: Service[]; image: string; imageTag: string | undefined; repository: ReleaseRepository; environment: RenderedEnvironment; parameterCount: number; pushedAt: Date | undefined; shortSecrets: string | undefined }> {
  const { ssmPath, mode } = request;
  const [described, parameters, ecrImage] = await Promise.all([
    describeServices(deps.aws, options.cluster, request.services, deps.signal),
    readParametersByPath(deps.aws, ssmPath, { onSecret: (value) => deps.redactor.add(value), signal: deps.signal }),
    options.repository !== undefined ? findImage(deps.aws, options.repository, options.sha ?? "", deps.signal) : Promise.resolve(undefined),
  ]);
  checkDescribedServices(options.cluster, described.services, described.missing);
  const { image, imageTag, repository } = resolveReleaseImage(options, ecrImage);
  checkParametersFound(parameters.length, ssmPath, options.allowEmptyEnv === true);
  const environment = buildEnvironment({ path: ssmPath, parameters, literals: options.env ?? [], mode });
  return { described: described.services, image, imageTag, repository, environment, parameterCount: parameters.length, pushedAt: ecrImage?.pushedAt, shortSecrets: shortSecureStringWarning(parameters) };
}

/**
 * Task definitions: each family's latest ACTIVE revision of the release's environment (`families`:
 * those no template replaces; see latestInEnvironment), then the running revisions not described
 * yet. Concurrently; none twice.
 */
async function describeRevisions(
  families: readonly string[],
  services: readonly Service[],
  scan: { readonly environment: string; readonly limit: number },
  deps: ReleaseDeps,
): Promise<{ latest: Map<string, DescribedTaskDefinition>; describedRevisions: Map<string, DescribedTaskDefinition> }> {
  const describedRevisions = new Map<string, DescribedTaskDefinition>();
  const latest = new Map<string, DescribedTaskDefinition>();
  await Promise.all(
    families.map(async (family) => {
      const newest = await describeTaskDefinition(deps.aws, family, deps.signal);
      describedRevisions.set(newest.taskDefinitionArn, newest);
      const revision = inEnvironment(newest, scan.environment) ? newest : await latestInEnvironment(family, newest, scan, deps);
      latest.set(family, revision);
      describedRevisions.set(revision.taskDefinitionArn, revision);
    }),
  );
  const runningArns = [...new Set(services.map((s) => s.taskDefinition ?? ""))].filter((arn) => !describedRevisions.has(arn));
  await Promise.all(
    runningArns.map(async (arn) => {
      describedRevisions.set(arn, await describeTaskDefinition(deps.aws, arn, deps.signal));
    }),
  );
  return { latest, describedRevisions };
}

/** The revisions about to be registered, as the pre-flight reads them. */
function preflightRevisions(verified: Pick<Verified, "plan">): PreflightRevision[] {
  return [...verified.plan.targets.values()].map((target) => target.rendered.input as PreflightRevision);
}

/** The pre-flight's options: the checks skipped, the account of the services, the image already found in ECR. */
function preflightOptions(options: ReleaseOptions, verified: Pick<Verified, "described" | "image">, deps: ReleaseDeps): PreflightOptions {
  const account = verified.described.map((s) => arnAccountAndRegion(s.serviceArn ?? "")?.account).find((a) => a !== undefined);
  return {
    skip: new Set(options.skipChecks ?? []),
    place: { region: deps.aws.region, account },
    ...(options.repository !== undefined ? { knownImages: [verified.image] } : {}),
  };
}

/**
 * `ecs-release verify`: the release's verify phase (every read and check) and the pre-flight, and
 * nothing else — nothing is written. Returns what a dry run would, with the pre-flight's report.
 */
export async function verifyRelease(options: ReleaseOptions, deps: ReleaseDeps): Promise<{ readonly result: ReleaseResult; readonly revisions: PreflightRevision[]; readonly preflight: PreflightOptions }> {
  const sha = await resolveCommitSha({ flag: options.sha, image: options.image, circleSha1: options.circleSha1 }, options.repository !== undefined, deps.readGitHead);
  const resolved = { ...options, ...(sha !== undefined ? { sha } : {}), dryRun: true };
  const warnings: string[] = [];
  const warn = (message: string): void => {
    warnings.push(message);
    deps.log.warn(message);
  };
  const verified = await verify(resolved, deps, warn, { warnings, phases: { verifyMs: 0, registerMs: 0, updateMs: 0, waitMs: 0 } });
  return { result: verified.result, revisions: preflightRevisions(verified), preflight: preflightOptions(resolved, verified, deps) };
}

/**
 * The family's newest ACTIVE revision released to `environment` (or recording none: released before
 * environments were recorded, or registered by hand), when its latest is another environment's:
 * read newest first, one at a time, at most `limit`. None: exit 2 (rendering from another
 * environment's revision would carry its settings over).
 */
async function latestInEnvironment(
  family: string,
  newest: DescribedTaskDefinition,
  scan: { readonly environment: string; readonly limit: number },
  deps: ReleaseDeps,
): Promise<DescribedTaskDefinition> {
  const lister = new RevisionLister(deps.aws, family, "ACTIVE", deps.signal);
  const others = new Set([environmentOf(newest) ?? ""]);
  for (let read = 0; read < scan.limit && !lister.exhausted; ) {
    for (const arn of await lister.next(Math.min(20, scan.limit))) {
      if (arn === newest.taskDefinitionArn || read >= scan.limit) continue;
      read++;
      const revision = await describeTaskDefinition(deps.aws, arn, deps.signal);
      if (inEnvironment(revision, scan.environment)) {
        deps.log.info(`${family}: rendering from ${revisionName(arn)}, the newest revision of environment ${scan.environment} (${revisionName(newest.taskDefinitionArn)} is ${environmentOf(newest)}'s)`);
        return revision;
      }
      others.add(environmentOf(revision) ?? "");
    }
  }
  throw new ValidationError(
    `no ACTIVE revision of ${family} among the newest ${scan.limit} was released to environment ${scan.environment} (they are ${[...others].sort().join(", ")}'s): pass --template FILE to render from a file, or --environment NAME if this release belongs to one of those`,
  );
}

/** What the pre-deploy check gets: one entry per target family. */
function plannedRevisions(plan: ReleasePlan): PlannedRevision[] {
  return [...plan.targets].map(([family, target]) => ({
    family,
    containers: target.containers,
    containerNames: target.rendered.input.containerDefinitions.map((c) => c.name ?? ""),
    services: servicesOfTarget(plan.plans, family),
  }));
}

/** What the release is about to register, for saved plans (`--plan-file`). */
function planSubject(options: ReleaseOptions, verified: Verified): PlanSubject {
  return {
    cluster: options.cluster,
    ssmPath: verified.result.environment.ssmPath,
    image: verified.image,
    ...(verified.imageTag === undefined ? {} : { imageTag: verified.imageTag }),
    families: [...verified.plan.targets].map(([family, target]) => ({
      family,
      input: target.rendered.input as unknown as PlanSubject["families"][number]["input"],
      running: Object.fromEntries(verified.plan.plans.filter((p) => targetFamily(p) === family).flatMap((p) => p.services.map((s) => [s.serviceName ?? "", s.taskDefinition ?? ""]))),
    })),
  };
}

/** The dry run's end: the diff logged, the plan file written, what a pre-deploy task would run. */
async function dryRun(options: ReleaseOptions, verified: Verified, deps: ReleaseDeps, warn: (message: string) => void): Promise<ReleaseResult> {
  const bases = await diffBases(verified, snapshotResolver(deps));
  const diff = logDryRunDiff(verified, bases, deps.log, (text) => deps.redactor.redact(text));
  const adoption = adoptionWarnings(verified.adoption, verified.result.environment.ssmPath, options.adopt === true);
  for (const line of adoption) warn(line);
  if (options.planFile) await writePlanFile(options.planFile, planSubject(options, verified), diff, options.services, deps, adoption);
  if (options.preDeploy) deps.log.info(`dry run: would run ${formatCommandLine(options.preDeploy.command)} from the new revision before updating any service`);
  const schedules = verified.scheduled ? logPlannedMoves(verified.scheduled, new Map([...verified.plan.targets.keys()].map((family) => [family, undefined])), deps.log) : undefined;
  return { ...verified.result, diff, ...(schedules ? { schedules } : {}) };
}

/** The pre-deploy task's options: the request, like the first service, at the release's pace. */
function preDeployOptions(options: ReleaseOptions, request: PreDeployRequest): PreDeployOptions {
  return { ...request, cluster: options.cluster, service: options.services[0] ?? "", pollIntervalMs: options.pollIntervalMs, ...(options.force ? { force: true } : {}) };
}

/**
 * Each running revision as its tasks see it, to diff against: the values behind its Secrets Manager
 * snapshot references inline (read only to compare; the diff prints a SecureString only as changed).
 */
async function diffBases(verified: Verified, resolve: SnapshotResolver): Promise<Map<string, TaskDefinitionInput>> {
  const bases = new Map<string, TaskDefinitionInput>();
  for (const arn of new Set(verified.plan.plans.flatMap((plan) => plan.services.map((s) => s.taskDefinition ?? "")))) {
    const running = verified.describedRevisions.get(arn);
    if (!running) continue;
    const input = toTemplate(running).input;
    bases.set(arn, { ...input, containerDefinitions: await resolve(input.containerDefinitions) });
  }
  return bases;
}

/** Dry run: logs and returns the difference between each running revision (its diff base) and its replacement. */
function logDryRunDiff(verified: Verified, bases: ReadonlyMap<string, TaskDefinitionInput>, log: Logger, redact: (text: string) => string): TaskDefinitionDiff[] {
  const diffs: TaskDefinitionDiff[] = [];
  for (const plan of verified.plan.plans) {
    for (const arn of new Set(plan.services.map((s) => s.taskDefinition ?? ""))) {
      const running = verified.describedRevisions.get(arn);
      const base = bases.get(arn);
      if (!running || !base) continue;
      const diff = diffTaskDefinitions(base, plan.rendered.input, { isSecret: verified.isSecret, recordedBefore: recordedSecureNames(running.tags) }, redact);
      diffs.push(diff);
      const users = plan.services.filter((s) => s.taskDefinition === arn).map((s) => s.serviceName ?? "");
      for (const line of formatTaskDefinitionDiff(diff, `dry run: ${users.join(", ")} would go from ${revisionName(arn)} to a new revision of ${plan.rendered.input.family}:`)) log.info(line);
    }
  }
  return diffs;
}

/** Phase 2, register: one revision per target family, concurrently; a failure leaves none behind (undoRegistrations). */
async function registerRevisions(verified: Verified, deps: ReleaseDeps): Promise<Registration> {
  const { plan, image, result } = verified;
  const arns = new Map<string, string>();
  const settled = await Promise.allSettled(
    [...plan.targets].map(async ([family, target]) => {
      const arn = await registerTaskDefinition(deps.aws, target.rendered.input, target.rendered.tags);
      arns.set(family, arn);
      deps.log.info(`registered ${revisionName(arn)} (${target.containers.join(", ")}: ${image})`);
    }),
  );
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failure !== undefined) await undoRegistrations([...arns.values()], failure.reason, deps);
  const arnFor = (p: FamilyPlan): string => arns.get(targetFamily(p)) ?? "";
  const revisions = plan.plans.map((p, i) => ({ ...result.revisions[i]!, taskDefinitionArn: arnFor(p) }));
  const registered: RegisteredRevision[] = [...plan.targets].map(([family, target]) => ({
    family,
    taskDefinitionArn: arns.get(family) ?? "",
    containers: target.containers,
    services: servicesOfTarget(plan.plans, family),
  }));
  return { revisions, registered, arnFor };
}

/**
 * `--secure-strings secretsmanager`, the first write: the environment's SecureStrings become a new
 * version of its secret, and every revision references that version instead of holding the values.
 */
async function snapshotSecrets(verified: Verified, deps: ReleaseDeps): Promise<Verified> {
  const { environment } = verified;
  if (verified.result.environment.mode !== "secretsmanager" || environment.secureNames.length === 0) return verified;
  const name = snapshotSecretName(verified.result.environment.ssmPath);
  const version = await putSnapshot(deps.aws, name, snapshotDocument(environment.environment), randomUUID());
  deps.log.info(`SecureStrings snapshot: ${plural(environment.secureNames.length, "value")} as version ${version.versionId} of ${name} (the revisions reference it)`);
  const targets = new Map([...verified.plan.targets].map(([family, target]) => [family, { ...target, rendered: { ...target.rendered, input: referenceSnapshot(target.rendered.input, environment.secureNames, version) } }] as const));
  return { ...verified, plan: { ...verified.plan, targets } };
}

/**
 * A registration failed after others succeeded: the revisions registered are deregistered (no
 * service runs them yet), else tagged TAG.outcome=not-released, so none is taken for a release
 * (or the next release's template); each named. Then the failure is thrown as it was.
 */
async function undoRegistrations(arns: readonly string[], failure: unknown, deps: ReleaseDeps): Promise<never> {
  for (const arn of arns) {
    try {
      await deregisterRevision(deps.aws, arn);
      deps.log.warn(`deregistered ${revisionName(arn)}: another family's registration failed, so no service will run it`);
    } catch (error) {
      try {
        await tagResource(deps.aws, arn, { [TAG.outcome]: "not-released" });
        deps.log.warn(`could not deregister ${revisionName(arn)} (${error instanceof Error ? error.message : String(error)}): tagged ${TAG.outcome}=not-released`);
      } catch {
        deps.log.warn(`could not deregister nor tag ${revisionName(arn)}: deregister it by hand (aws ecs deregister-task-definition --task-definition ${revisionName(arn)})`);
      }
    }
  }
  throw failure;
}

/** `--pre-deploy-command`, between register and update; a signal during it stops before any update. */
async function runBeforeUpdate(options: ReleaseOptions, verified: Verified, registration: Registration, deps: ReleaseDeps): Promise<void> {
  if (options.preDeploy) await runPreDeploy(preDeployOptions(options, options.preDeploy), registration.registered, deps);
  if (deps.signal.aborted) {
    throw new InterruptedError(
      `interrupted before updating any service: ${registration.registered.map((r) => revisionName(r.taskDefinitionArn)).join(", ")} registered but not rolled out (run the release again)`,
      { result: { ...verified.result, revisions: registration.revisions } },
    );
  }
}

/** Phase 3, update: every service at once. A failed update ends the release (the others roll out). */
async function updateAllServices(
  options: ReleaseOptions,
  verified: Verified,
  registration: Registration,
  deps: ReleaseDeps,
  phases: ReleaseResult["phases"],
): Promise<StartedDeployment[]> {
  const updateStart = deps.clock.now();
  const targets = verified.plan.plans.flatMap((plan) => plan.services.map((service) => ({ service: service.serviceName ?? "", taskDefinitionArn: registration.arnFor(plan) })));
  const { started, failure } = await updateServices(deps.aws, options.cluster, targets);
  phases.updateMs = deps.clock.now() - updateStart;
  if (failure !== undefined) {
    const updatedNames = started.map((u) => `${u.service} → ${revisionName(u.taskDefinitionArn)}`);
    const already = updatedNames.length > 0 ? ` (already updated: ${updatedNames.join(", ")}; those roll out regardless)` : " (no service was updated)";
    throw partialUpdateError(failure, already, { ...verified.result, revisions: registration.revisions, services: serviceResults(verified.described, started) });
  }
  for (const u of started) deps.log.info(`updated ${u.service} to ${revisionName(u.taskDefinitionArn)} (deployment ${u.deploymentId})`);
  return started;
}

/** Phase 4, wait: every rollout to its end, then each revision's outcome recorded; throws on a failed rollout. */
async function waitForOutcomes(
  options: ReleaseOptions,
  verified: Verified,
  registration: Registration,
  updated: readonly StartedDeployment[],
  deps: ReleaseDeps,
  warn: (message: string) => void,
  phases: ReleaseResult["phases"],
): Promise<ReleaseResult> {
  const { clock, log } = deps;
  const waitStart = clock.now();
  log.info(`waiting for ${plural(updated.length, "rollout")} (timeout ${formatDuration(options.timeoutMs)}, polling every ${formatDuration(options.pollIntervalMs)})`);
  const waited = await waitForRollouts(
    {
      cluster: options.cluster,
      targets: rolloutTargetsOf(updated, verified.described),
      timeoutMs: options.timeoutMs,
      pollIntervalMs: options.pollIntervalMs,
      knownEventIds: verified.described.flatMap((s) => (s.events ?? []).map((e) => e.id ?? "")),
      ...(options.untilPaused === true ? { untilPaused: true } : {}),
    },
    deps,
  );
  // What the containers said: the last log lines of each stopped task the report names.
  const report = await withStoppedTaskLogs(waited, deps);
  phases.waitMs = clock.now() - waitStart;
  const outcomeOf = await recordOutcomes(registration.registered, report, deps, warn);
  const final: ReleaseResult = {
    ...verified.result,
    revisions: registration.revisions.map((r) => ({ ...r, outcome: outcomeOf.get(r.taskDefinitionArn) ?? null })),
    services: serviceResults(verified.described, updated, report),
  };
  const error = rolloutReportError(report, options.cluster, final);
  if (error) throw error;
  return final;
}

/**
 * Records each revision's outcome when it is known (see revisionOutcome) as TAG.outcome; a tag
 * that cannot be written is a warning. Returns the outcome per revision ARN.
 */
async function recordOutcomes(
  registered: readonly RegisteredRevision[],
  report: RolloutReport,
  deps: ReleaseDeps,
  warn: (message: string) => void,
): Promise<Map<string, RecordedOutcome | null>> {
  const tagged = await Promise.all(
    registered.map(async (revision) => {
      const value = revisionOutcome(report.outcomes.filter((o) => o.taskDefinitionArn === revision.taskDefinitionArn));
      if (value === null) return [revision.taskDefinitionArn, null] as const;
      try {
        await tagResource(deps.aws, revision.taskDefinitionArn, { [TAG.outcome]: value });
        deps.log.info(`tagged ${revisionName(revision.taskDefinitionArn)} ${TAG.outcome}=${value}`);
      } catch (error) {
        warn(`could not record the outcome on ${revisionName(revision.taskDefinitionArn)}: ${error instanceof Error ? error.message : String(error)}`);
      }
      return [revision.taskDefinitionArn, value] as const;
    }),
  );
  return new Map(tagged);
}

/** The release's last line; a revision no task ran (desired count 0) is said not to be stable. */
function releasedLine(final: ReleaseResult, services: number, took: string): string {
  const revisions = [...new Set(final.revisions.map((r) => r.taskDefinitionArn ?? ""))];
  const neverRan = revisions.filter((arn) => final.revisions.some((r) => r.taskDefinitionArn === arn && r.outcome === "never-ran"));
  const line = `released ${revisions.map(revisionName).join(", ")}: ${plural(services, "service")} `;
  const paused = final.services.filter((s) => s.outcome === "paused");
  if (paused.length > 0) {
    const state = paused.length === services ? "paused at a PAUSE hook" : `stable or paused at a PAUSE hook (${paused.length} paused)`;
    return `${line}${state} in ${took} (go on with ecs-release continue --cluster ${final.cluster} ${paused.map((s) => `--service ${s.service}`).join(" ")})`;
  }
  if (neverRan.length === 0) return `${line}stable in ${took}`;
  return `${line}completed in ${took}, but no task of ${neverRan.map(revisionName).join(", ")} ran (desired count 0): recorded as ${TAG.outcome}=never-ran, not stable, and never a rollback target until a release runs it`;
}

/** Per-service results: not updated, updated and not waited for, or the state the wait ended in. */
function serviceResults(described: readonly Service[], updated: readonly StartedDeployment[], report?: RolloutReport): ReleaseServiceResult[] {
  return described.map((s) => {
    const name = s.serviceName ?? "";
    const update = updated.find((u) => u.service === name);
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
      ...(outcome?.stoppedTasks !== undefined ? { stoppedTasks: outcome.stoppedTasks } : {}),
    };
  });
}

/**
 * Adds to the redactor the values a revision holds for variables that were SecureStrings when it
 * was released (its TAG.secureNames record) or are today: a secret demoted to a String, deleted,
 * or shadowed since stays masked in every output.
 */
export function rememberOldSecrets(revision: DescribedTaskDefinition, isSecret: (name: string) => boolean, redactor: Redactor): void {
  const containers = (revision.taskDefinition["containerDefinitions"] as Array<{ environment?: Array<{ name?: string; value?: string }> }> | undefined) ?? [];
  const names = new Set([...(recordedSecureNames(revision.tags) ?? []), ...containers.flatMap((c) => (c.environment ?? []).map((e) => e.name ?? "")).filter(isSecret)]);
  for (const value of recordedSecretValues(containers, names)) redactor.add(value);
}

function toTemplate(revision: DescribedTaskDefinition | undefined): TaskDefinitionTemplate {
  if (!revision) throw new ValidationError("internal: a family without a described revision");
  return templateFromRevision(revision.taskDefinition, Object.entries(revision.tags).map(([key, value]) => ({ key, value })), revision.taskDefinitionArn);
}
