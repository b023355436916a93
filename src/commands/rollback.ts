import type { Service } from "@aws-sdk/client-ecs";
import type { AwsClients } from "../aws/clients.js";
import { ecrImageExists } from "../aws/ecr-image-check.js";
import { describeServices, partialUpdateError, tagResource, updateServices, type StartedDeployment } from "../aws/ecs.js";
import { deregisterRevision, describeRevision, describeRevisions, listRegionUsage, mapConcurrently, RevisionLister } from "../aws/task-definitions.js";
import { rolloutReportError, waitForRollouts, type RolloutReport } from "../aws/wait-rollout.js";
import type { Clock } from "../core/clock.js";
import { formatDuration } from "../core/duration.js";
import { arnAccountAndRegion, imagesToCheck, type EcrImageRef } from "../core/ecr-image.js";
import { ValidationError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { formatRevisionName, outcomeOf, parseRevisionName, type RevisionName, type RevisionRecord } from "../core/revision-record.js";
import { formatRollbackTo, parseRollbackTo, selectRevisionsToDeregister, selectRollbackTarget, type RollbackTargetDecision, type RollbackTo } from "../core/rollback-target.js";
import { revisionUsers } from "../core/revision-usage.js";
import { checkRollbackServices, rolledBackByRun } from "../core/rollback-plan.js";
import { rolloutTargetsOf } from "../core/rollout-state.js";
import { TAG } from "../core/tags.js";
import { shaOf } from "../core/history.js";

/** What `ecs-release rollback` was asked to do. */
export interface RollbackOptions {
  readonly cluster: string;
  readonly services: readonly string[];
  /** previous | REVISION | FAMILY:REVISION | ARN | sha:SHA */
  readonly to: string;
  /** Tag the revisions rolled back from, but deregister nothing. */
  readonly keepBad: boolean;
  readonly dryRun: boolean;
  /** False for `--no-wait`: update and return (nothing is deregistered then). */
  readonly wait: boolean;
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
  /**
   * What identifies this rollback across CircleCI re-runs (rollbackRunKey: the pipeline and job);
   * recorded on each target. Services on a target recorded with the same key are left as they are.
   */
  readonly runKey?: string | undefined;
}

/** What rollback needs from outside. */
export interface RollbackDeps {
  readonly aws: Pick<AwsClients, "ecs" | "ecr" | "region">;
  readonly log: Logger;
  readonly clock: Clock;
  readonly signal: AbortSignal;
}

/** A revision in the result document. */
export interface RevisionRef {
  readonly arn: string;
  readonly revision: string;
  readonly sha: string | null;
  readonly outcome: string;
}

/** One service in the result document. */
export interface RollbackServiceResult {
  readonly service: string;
  readonly from: string;
  readonly to: string;
  readonly deploymentId: string | null;
  /** planned (dry run), unchanged (already on the target), not-waited, or the rollout state. */
  readonly outcome: string;
  readonly reason?: string;
}

/** The result document (`--json`), also attached to errors. */
export interface RollbackResult {
  readonly cluster: string;
  readonly to: string;
  readonly dryRun: boolean;
  readonly targets: ReadonlyArray<RevisionRef & { readonly rolledBackFrom: readonly string[]; readonly note: string | null }>;
  readonly services: readonly RollbackServiceResult[];
  /** Deregistered (under --dry-run: would be). Empty with --keep-bad, --no-wait, or when the rollout failed. */
  readonly deregistered: readonly RevisionRef[];
  /** Revisions left registered although rolled back from or failed, and why. */
  readonly spared: ReadonlyArray<{ readonly arn: string; readonly revision: string; readonly reason: string }>;
  /** Revisions tagged TAG.outcome=rolled-back. */
  readonly taggedRolledBack: readonly string[];
}

/** How far back `previous`/`sha:` reads before deciding with what it has. */
const SCAN_BUDGET = 200;

/** One family + running revision: the services on it and where they go. */
interface Group {
  readonly current: RevisionName;
  readonly currentArn: string;
  readonly services: Service[];
  decision?: RollbackTargetDecision;
  /** Revisions read while choosing (with tags). */
  known: RevisionRecord[];
  /** ACTIVE ARNs listed but not read (newer than the current, for `previous`). */
  unread: string[];
}

/**
 * Panic rollback: points services at an existing revision (no new revision), so its image and its
 * environment come back. Reads as little as possible before UpdateService (one DescribeServices,
 * one ListTaskDefinitions page and the tags of the revisions between the current one and the
 * target, newest first, a growing window at a time), updates every service at once, waits with
 * the same wait as release, and only when every service is stable on its target tags the revisions
 * rolled back from (outcome rolled-back) and deregisters them and the failed ones newer than the
 * target — never one still used by a service in any cluster of the region — unless --keep-bad.
 */
export async function run(options: RollbackOptions, deps: RollbackDeps): Promise<RollbackResult> {
  const { log, clock } = deps;
  const started = clock.now();
  const to = parseRollbackTo(options.to);
  if (options.services.length === 0) throw new ValidationError("rollback: pass at least one --service");

  // --- 1. what runs now ---------------------------------------------------------------------------
  const described = await describeServices(deps.aws, options.cluster, options.services, deps.signal);
  checkRollbackServices(options.cluster, described.services, described.missing);
  const groups = groupByRevision(described.services);

  // --- 2. choose each target (pure rule, reads newest first until it decides) ----------------------
  // A re-run of this pipeline's rollback: the services it moved stay where it left them.
  const done = await markRolledBackByRun(groups, options.runKey, deps);
  await Promise.all(groups.filter((g) => !done.includes(g)).map((group) => chooseTarget(group, to, deps)));
  const problems = groups.flatMap((g) => (g.decision?.status === "none" ? [`${serviceNames(g)} (on ${formatRevisionName(g.current)}): ${g.decision.reason}`] : []));
  if (problems.length > 0) throw new ValidationError(`rollback --to ${formatRollbackTo(to)}: ${problems.join("; ")}`, { problems });
  const chosen = groups.map((g) => ({ group: g, target: (g.decision as Extract<RollbackTargetDecision, { status: "found" }>).target, note: (g.decision as { note?: string }).note ?? null }));
  const unchecked = await checkTargetImages(chosen.filter((c) => c.target.arn !== c.group.currentArn), to, deps);
  for (const { note } of chosen) if (note) log.warn(note);
  if (unchecked.length > 0) {
    log.info(`not checked (not in this account's ECR in ${deps.aws.region}): ${unchecked.join(", ")}; if one is gone, its tasks stop with CannotPullContainerError and rollback exits 1 with nothing deregistered`);
  }

  const moving = chosen.filter((c) => c.target.arn !== c.group.currentArn);
  const services: RollbackServiceResult[] = chosen.flatMap(({ group, target }) =>
    group.services.map((s) => ({ service: s.serviceName ?? "", from: group.currentArn, to: target.arn, deploymentId: null, outcome: target.arn === group.currentArn ? "unchanged" : options.dryRun ? "planned" : "not-waited" })),
  );
  const result = {
    cluster: options.cluster,
    to: formatRollbackTo(to),
    dryRun: options.dryRun,
    targets: chosen.map(({ group, target, note }) => ({ ...ref(target), rolledBackFrom: [group.currentArn], note })),
    services,
    deregistered: [] as RevisionRef[],
    spared: [] as Array<{ arn: string; revision: string; reason: string }>,
    taggedRolledBack: [] as string[],
  };
  for (const { group, target } of chosen) {
    const verb = target.arn === group.currentArn ? "already on" : options.dryRun ? "would roll back to" : "rolling back to";
    log.info(`${serviceNames(group)}: ${formatRevisionName(group.current)} → ${verb} ${describeRevisionLine(target)}`);
  }
  if (moving.length === 0) {
    log.info(done.length > 0 ? `already rolled back by this ${options.runKey}: nothing to do` : "nothing to roll back: every service already runs its target revision");
    return result;
  }

  // --- 3. dry run: what would be deregistered ----------------------------------------------------
  if (options.dryRun) {
    const [region] = await Promise.all([listRegionUsage(deps.aws, options.cluster, deps.signal), ...moving.map(({ group, target }) => readNewerThan(group, target, deps))]);
    const movingNames = moving.flatMap(({ group }) => group.services.map((s) => s.serviceName ?? ""));
    const selection = selectAll(moving, revisionUsers(region, { home: options.cluster, exclude: movingNames }));
    result.deregistered = selection.deregister.map(ref);
    result.spared = selection.spared;
    if (options.keepBad) log.info("dry run (--keep-bad): would tag the revisions rolled back from and deregister nothing");
    else log.info(`dry run: would deregister ${list(selection.deregister)} once every service is stable${spareText(selection.spared)}`);
    result.deregistered = options.keepBad ? [] : result.deregistered;
    return result;
  }

  // --- 4. update every service at once ---------------------------------------------------------------
  const targets = moving.flatMap(({ group, target }) => group.services.map((s) => ({ service: s.serviceName ?? "", taskDefinitionArn: target.arn })));
  const { started: updated, failure } = await updateServices(deps.aws, options.cluster, targets);
  await recordRun(moving, updated, options.runKey, deps);
  const setService = (started_: StartedDeployment, fields: Partial<RollbackServiceResult>): void => {
    const index = result.services.findIndex((s) => s.service === started_.service);
    if (index >= 0) result.services[index] = { ...result.services[index]!, deploymentId: started_.deploymentId, ...fields };
  };
  for (const u of updated) {
    setService(u, {});
    log.info(`updated ${u.service} to ${formatRevisionName(parseRevisionName(u.taskDefinitionArn) ?? { family: u.taskDefinitionArn, revision: 0 })} (deployment ${u.deploymentId}) ${formatDuration(clock.now() - started)} after start`);
  }
  if (failure !== undefined) {
    const already = updated.length > 0 ? ` (already updated: ${updated.map((u) => u.service).join(", ")}; those roll back regardless; nothing was deregistered)` : " (no service was updated)";
    throw partialUpdateError(failure, already, result);
  }

  if (!options.wait) {
    log.info(`not waiting (--no-wait): nothing deregistered; follow with ecs-release status --cluster ${options.cluster} ${options.services.map((s) => `--service ${s}`).join(" ")}`);
    return result;
  }

  // --- 5. wait exactly as release does; read the newer revisions meanwhile --------------------------
  const newer = Promise.all(moving.map(({ group, target }) => readNewerThan(group, target, deps)));
  newer.catch(() => undefined);
  log.info(`waiting for ${updated.length} rollout${updated.length === 1 ? "" : "s"} (timeout ${formatDuration(options.timeoutMs)}, polling every ${formatDuration(options.pollIntervalMs)})`);
  const report: RolloutReport = await waitForRollouts(
    {
      cluster: options.cluster,
      targets: rolloutTargetsOf(updated, described.services),
      timeoutMs: options.timeoutMs,
      pollIntervalMs: options.pollIntervalMs,
      knownEventIds: described.services.flatMap((s) => (s.events ?? []).map((e) => e.id ?? "")),
    },
    deps,
  );
  for (const outcome of report.outcomes) {
    const u = updated.find((x) => x.service === outcome.service);
    if (u) setService(u, { outcome: outcome.state, reason: outcome.reason });
  }
  const error = rolloutReportError(report, options.cluster, result);
  if (error) {
    error.message = `${error.message} — nothing was tagged or deregistered`;
    throw error;
  }

  // --- 6. record and clean up, now that every service is stable on its target -----------------------
  await newer;
  const targetArns = new Set(moving.map((m) => m.target.arn));
  const fromArns = [...new Set(moving.map((m) => m.group.currentArn))].filter((arn) => !targetArns.has(arn));
  const now = new Date(clock.now()).toISOString();
  await Promise.all(
    fromArns.map(async (arn) => {
      try {
        await tagResource(deps.aws, arn, { [TAG.outcome]: "rolled-back", [TAG.rolledBackAt]: now });
        result.taggedRolledBack.push(arn);
        log.info(`tagged ${shortName(arn)} ${TAG.outcome}=rolled-back`);
      } catch (tagError) {
        log.warn(`could not tag ${shortName(arn)} as rolled back: ${tagError instanceof Error ? tagError.message : String(tagError)}`);
      }
    }),
  );
  for (const m of moving) m.group.known = m.group.known.map((r) => (fromArns.includes(r.arn) ? { ...r, tags: { ...r.tags, [TAG.outcome]: "rolled-back" } } : r));
  if (options.keepBad) {
    log.info(`rolled back in ${formatDuration(clock.now() - started)}; --keep-bad: nothing deregistered`);
    return result;
  }
  // Any service in any cluster of the region keeps a revision (families are often shared by clusters).
  const region = await listRegionUsage(deps.aws, options.cluster, deps.signal);
  const selection = selectAll(moving, revisionUsers(region, { home: options.cluster }));
  result.spared = selection.spared;
  for (const s of selection.spared) log.info(`not deregistering ${s.revision}: ${s.reason}`);
  await mapConcurrently(selection.deregister, 2, async (record) => {
    if (!fromArns.includes(record.arn)) await tagResource(deps.aws, record.arn, { [TAG.rolledBackAt]: now });
    await deregisterRevision(deps.aws, record.arn);
    result.deregistered.push(ref(record));
    log.info(`deregistered ${formatRevisionName(record)} (${outcomeOf(record)})`);
  });
  log.info(`rolled back in ${formatDuration(clock.now() - started)}: ${moving.map((m) => `${serviceNames(m.group)} on ${formatRevisionName(m.target)}`).join(", ")}`);
  return result;
}

/**
 * Before anything is written: every image of each target that lives in this account's ECR must
 * still be there (a lifecycle policy may have expired it; see aws/ecr-image-check.ts). A missing
 * one is exit 2 naming the image and the next older target whose images are all there. Returns the
 * images that could not be checked (other registries, accounts or regions).
 */
async function checkTargetImages(chosen: ReadonlyArray<{ group: Group; target: RevisionRecord }>, to: RollbackTo, deps: RollbackDeps): Promise<string[]> {
  const exists = imageLookup(deps);
  const unchecked = new Set<string>();
  const problems = await Promise.all(
    chosen.map(async ({ group, target }) => {
      const missing = await missingImages(target, exists, unchecked);
      if (missing.length === 0) return undefined;
      const next = await findUsableTarget(group, target, exists, deps);
      const instead = next
        ? `the next usable target is ${describeRevisionLine(next)}: ecs-release rollback --to ${formatRevisionName(next)}`
        : `no older ACTIVE revision has all its images in ECR: release a commit again (ecs-release release --sha …)`;
      return `${serviceNames(group)} (on ${formatRevisionName(group.current)}): ${formatRevisionName(target)} runs ${missing.join(", ")}, no longer in ECR (an ECR lifecycle policy may have expired it); ${instead}`;
    }),
  );
  const found = problems.filter((p): p is string => p !== undefined);
  if (found.length > 0) throw new ValidationError(`rollback --to ${formatRollbackTo(to)}: ${found.join("; ")}`, { problems: found });
  return [...unchecked];
}

/** One DescribeImages per distinct image, remembered for the run. */
function imageLookup(deps: RollbackDeps): (image: EcrImageRef) => Promise<boolean> {
  const cache = new Map<string, Promise<boolean>>();
  return (image) => {
    const key = `${image.registryId}/${image.repository}/${JSON.stringify(image.imageId)}`;
    const known = cache.get(key) ?? ecrImageExists(deps.aws, image, deps.signal);
    cache.set(key, known);
    return known;
  };
}

/** The revision's images that are in this account's ECR and missing there; the others go to `unchecked`. */
async function missingImages(record: RevisionRecord, exists: (image: EcrImageRef) => Promise<boolean>, unchecked: Set<string>): Promise<string[]> {
  const where = arnAccountAndRegion(record.arn);
  const images = record.images ?? (record.image ? [record.image] : []);
  const split = where ? imagesToCheck(images, where) : { checkable: [], unchecked: images };
  for (const image of split.unchecked) unchecked.add(image);
  const present = await Promise.all(split.checkable.map((image) => exists(image)));
  return split.checkable.filter((_, i) => !present[i]).map((image) => image.uri);
}

/**
 * The target `rollback previous` would choose from `from`, then from that one, … until one has all
 * its images in ECR (bounded by SCAN_BUDGET revisions read); undefined when none has.
 */
async function findUsableTarget(group: Group, from: RevisionRecord, exists: (image: EcrImageRef) => Promise<boolean>, deps: RollbackDeps): Promise<RevisionRecord | undefined> {
  const lister = new RevisionLister(deps.aws, group.current.family, "ACTIVE", deps.signal);
  const known = new Map(group.known.map((r) => [r.arn, r]));
  let below: RevisionRecord = from;
  let read = 0;
  for (;;) {
    const exhausted = lister.exhausted || read >= SCAN_BUDGET;
    const decision = selectRollbackTarget({ to: { kind: "previous" }, current: below, revisions: [...known.values()], exhausted });
    if (decision.status === "none") return undefined;
    if (decision.status === "found") {
      if ((await missingImages(decision.target, exists, new Set())).length === 0) return decision.target;
      below = decision.target;
      continue;
    }
    const arns = (await lister.next(10)).filter((arn) => !known.has(arn) && (parseRevisionName(arn)?.revision ?? 0) < below.revision);
    for (const record of await describeRevisions(deps.aws, arns, { signal: deps.signal })) known.set(record.arn, record);
    read += arns.length;
  }
}

/**
 * With a run key: the groups whose running revision records that this run's rollback pointed them
 * there (a CircleCI re-run of a finished rollback). Each gets its running revision as its target, so
 * nothing moves; one line says so, and whether their rollouts are done.
 */
async function markRolledBackByRun(groups: readonly Group[], runKey: string | undefined, deps: RollbackDeps): Promise<Group[]> {
  if (runKey === undefined) return [];
  const currents = await Promise.all(groups.map((g) => describeRevision(deps.aws, g.currentArn, deps.signal)));
  const done: Group[] = [];
  groups.forEach((group, i) => {
    const current = currents[i];
    if (!current || !rolledBackByRun(current.tags, runKey)) return;
    group.known = [current];
    group.decision = { status: "found", target: current };
    done.push(group);
  });
  if (done.length === 0) return done;
  const unsettled = done.flatMap((g) => g.services).filter((s) => (s.deployments ?? []).some((d) => d.status === "PRIMARY" && d.rolloutState !== undefined && d.rolloutState !== "COMPLETED"));
  const state = unsettled.length > 0 ? `; the rollout of ${unsettled.map((s) => `${s.serviceName} is ${s.deployments?.find((d) => d.status === "PRIMARY")?.rolloutState}`).join(", ")} (follow with ecs-release status)` : "";
  deps.log.info(`already rolled back by this ${runKey} (a re-run changes nothing): ${done.map((g) => `${serviceNames(g)} on ${formatRevisionName(g.current)}`).join(", ")}${state}`);
  return done;
}

/** Records the run on each target whose services were all updated (TAG.rollbackRun); a tag that cannot be written is a warning. */
async function recordRun(moving: ReadonlyArray<{ group: Group; target: RevisionRecord }>, updated: readonly StartedDeployment[], runKey: string | undefined, deps: RollbackDeps): Promise<void> {
  if (runKey === undefined) return;
  const names = new Set(updated.map((u) => u.service));
  const arns = new Set(moving.filter((m) => m.group.services.every((s) => names.has(s.serviceName ?? ""))).map((m) => m.target.arn));
  await Promise.all(
    [...arns].map(async (arn) => {
      try {
        await tagResource(deps.aws, arn, { [TAG.rollbackRun]: runKey });
      } catch (error) {
        deps.log.warn(`could not record this rollback on ${shortName(arn)} (a re-run would roll back again): ${error instanceof Error ? error.message : String(error)}`);
      }
    }),
  );
}

function groupByRevision(services: readonly Service[]): Group[] {
  const groups = new Map<string, Group>();
  for (const service of services) {
    const arn = service.taskDefinition ?? "";
    const current = parseRevisionName(arn);
    if (!current) throw new ValidationError(`rollback: service ${service.serviceName} runs "${arn}", not a task definition revision`);
    const group = groups.get(arn) ?? { current, currentArn: arn, services: [], known: [], unread: [] };
    group.services.push(service);
    groups.set(arn, group);
  }
  return [...groups.values()];
}

/**
 * Reads revisions until the pure rule decides. A number or name: that one revision. `previous`
 * and `sha:`: ACTIVE revisions newest first (one ListTaskDefinitions page), described a window at
 * a time (2, 4, 8 concurrently): the target is usually one or two revisions back.
 */
async function chooseTarget(group: Group, to: RollbackTo, deps: RollbackDeps): Promise<void> {
  const family = group.current.family;
  if (to.kind === "revision" || to.kind === "name") {
    const name = `${to.kind === "name" ? to.family : family}:${to.revision}`;
    const record = to.kind === "name" && to.family !== family ? undefined : await describeRevision(deps.aws, name, deps.signal);
    group.known = record ? [record] : [];
    group.decision = selectRollbackTarget({ to, current: group.current, revisions: group.known, exhausted: true });
    return;
  }
  const lister = new RevisionLister(deps.aws, family, "ACTIVE", deps.signal);
  const pending: string[] = [];
  let window = 2;
  let read = 0;
  for (;;) {
    const exhausted = pending.length === 0 && (lister.exhausted || read >= SCAN_BUDGET);
    const decision = selectRollbackTarget({ to, current: group.current, revisions: group.known, exhausted });
    if (decision.status !== "need-more") {
      group.decision = decision;
      group.unread.push(...pending);
      return;
    }
    while (pending.length < window && !lister.exhausted) {
      const arns = await lister.next(20);
      for (const arn of arns) {
        const revision = parseRevisionName(arn)?.revision ?? 0;
        // `previous` only looks below the current revision; newer ones are read after the update.
        if (to.kind === "previous" && revision >= group.current.revision) group.unread.push(arn);
        else pending.push(arn);
      }
    }
    const batch = pending.splice(0, window);
    if (batch.length === 0) continue;
    group.known.push(...(await describeRevisions(deps.aws, batch, { concurrency: window, signal: deps.signal })));
    read += batch.length;
    window = Math.min(8, window * 2);
  }
}

/** Reads (with tags) the ACTIVE revisions newer than the target not read yet: candidates for deregistration. */
async function readNewerThan(group: Group, target: RevisionRecord, deps: RollbackDeps): Promise<void> {
  const knownArns = new Set(group.known.map((r) => r.arn));
  let arns = group.unread.filter((arn) => !knownArns.has(arn) && (parseRevisionName(arn)?.revision ?? 0) > target.revision);
  if (group.known.length === 0 || group.unread.length === 0) {
    // Chosen by number or name: list newest first down to the target.
    const lister = new RevisionLister(deps.aws, group.current.family, "ACTIVE", deps.signal);
    const listed: string[] = [];
    while (!lister.exhausted) {
      const page = await lister.next(50);
      listed.push(...page);
      if (page.length === 0 || page.some((arn) => (parseRevisionName(arn)?.revision ?? 0) <= target.revision)) break;
    }
    arns = listed.filter((arn) => !knownArns.has(arn) && (parseRevisionName(arn)?.revision ?? 0) > target.revision);
  }
  group.known.push(...(await describeRevisions(deps.aws, arns, { signal: deps.signal })));
  if (!group.known.some((r) => r.arn === group.currentArn)) {
    const current = await describeRevision(deps.aws, group.currentArn, deps.signal);
    if (current) group.known.push(current);
  }
}

function selectAll(moving: ReadonlyArray<{ group: Group; target: RevisionRecord }>, inUse: ReadonlyMap<string, readonly string[]>) {
  const targets = new Set(moving.map((m) => m.target.arn));
  const deregister = new Map<string, RevisionRecord>();
  const spared = new Map<string, { arn: string; revision: string; reason: string }>();
  for (const { group, target } of moving) {
    const from = group.known.filter((r) => r.arn === group.currentArn);
    const selection = selectRevisionsToDeregister({ target, rolledBackFrom: from, revisions: group.known, inUse });
    for (const record of selection.deregister) if (!targets.has(record.arn)) deregister.set(record.arn, record);
    for (const s of selection.spared) spared.set(s.record.arn, { arn: s.record.arn, revision: formatRevisionName(s.record), reason: s.reason });
  }
  return { deregister: [...deregister.values()], spared: [...spared.values()] };
}

function ref(record: RevisionRecord): RevisionRef {
  return { arn: record.arn, revision: formatRevisionName(record), sha: shaOf(record), outcome: outcomeOf(record) };
}

function describeRevisionLine(record: RevisionRecord): string {
  const sha = shaOf(record);
  return `${formatRevisionName(record)}${sha ? ` (commit ${sha.slice(0, 12)}, ${outcomeOf(record)})` : ` (${outcomeOf(record)})`}`;
}

function serviceNames(group: Group): string {
  return group.services.map((s) => s.serviceName ?? "").join(", ");
}

function shortName(arn: string): string {
  const name = parseRevisionName(arn);
  return name ? formatRevisionName(name) : arn;
}

function list(records: readonly RevisionRecord[]): string {
  return records.length === 0 ? "nothing" : records.map((r) => `${formatRevisionName(r)} (${outcomeOf(r)})`).join(", ");
}

function spareText(spared: ReadonlyArray<{ revision: string; reason: string }>): string {
  return spared.length === 0 ? "" : `; sparing ${spared.map((s) => `${s.revision} (${s.reason})`).join(", ")}`;
}
