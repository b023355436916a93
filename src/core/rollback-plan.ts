/**
 * The rollback plan: every check `rollback` makes on what it read before it writes anything. Pure;
 * the command does the reads and the writes. Every check throws a ValidationError (exit 2) with one
 * actionable line.
 */
import type { Service } from "@aws-sdk/client-ecs";
import { ValidationError } from "./errors.js";
import { formatRevisionName, parseRevisionName, type RevisionName, type RevisionRecord } from "./revision-record.js";
import { formatRollbackTo, selectRevisionsToDeregister, type RollbackTargetDecision, type RollbackTo } from "./rollback-target.js";
import { TAG } from "./tags.js";

/**
 * Checks the described services: every one found and ACTIVE (`missing`: names DescribeServices did
 * not find), and every one on the ECS (rolling update) deployment controller. ECS refuses
 * UpdateService with a task definition for CODE_DEPLOY and EXTERNAL services ("If the network
 * configuration, platform version, task definition, or load balancer need to be updated, create a new
 * CodeDeploy deployment"; https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html),
 * so such a service is refused before any service is updated.
 */
export function checkRollbackServices(cluster: string, services: readonly Service[], missing: readonly string[]): void {
  const gone = [...missing, ...services.filter((s) => s.status !== "ACTIVE").map((s) => `${s.serviceName ?? "?"} (${s.status ?? "?"})`)];
  if (gone.length > 0) throw new ValidationError(`rollback: not found in cluster ${cluster}: ${gone.join(", ")} (check --service)`);
  const foreign = services.filter((s) => (s.deploymentController?.type ?? "ECS") !== "ECS");
  if (foreign.length > 0) {
    const names = foreign.map((s) => `${s.serviceName ?? "?"} uses the ${s.deploymentController?.type ?? "?"} deployment controller`).join(", ");
    throw new ValidationError(
      `rollback: ${names}: ecs-release rolls back services with the ECS (rolling update) controller only (roll back a CODE_DEPLOY service with a CodeDeploy deployment, an EXTERNAL one with its own controller); nothing was changed`,
    );
  }
}

/**
 * The connections rollback opens ahead for `services` services (aws/connections.ts): to ECS, for the
 * reads it makes together after DescribeServices, up to five a service (ECS's record, the running
 * revision, the listing, the two revisions below it); to ECR and Secrets Manager, one a service, for
 * the checks after them (the targets' images, their snapshot's versions).
 */
export function connectionsAhead(services: number): { readonly ECS: number; readonly ECR: number; readonly SECRETS_MANAGER: number } {
  return { ECS: 5 * services, ECR: services, SECRETS_MANAGER: services };
}

/**
 * The key that identifies "this rollback" across CircleCI re-runs, from the job's environment;
 * undefined outside CircleCI. A re-run ("Rerun workflow from start/failed") is a NEW workflow in the
 * SAME pipeline: CIRCLE_WORKFLOW_ID changes (https://github.com/percy/python-percy-client/pull/45,
 * https://github.com/CircleCI-Public/circleci-cli/pull/1689: the rerun answers with the new workflow's
 * id), while the pipeline — CIRCLE_PIPELINE_ID, https://circleci.com/docs/reference/variables/, and
 * `<< pipeline.number >>`, which the orb passes as CIRCLE_PIPELINE_NUM — stays. So the key is the
 * pipeline plus the job's name (CIRCLE_JOB: two rollback jobs of one pipeline are two rollbacks).
 * Recorded as TAG.rollbackRun on the target (a tag value holds 256 characters).
 */
export function rollbackRunKey(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const pipeline = env["CIRCLE_PIPELINE_ID"] ? `pipeline ${env["CIRCLE_PIPELINE_ID"]}` : env["CIRCLE_PIPELINE_NUM"] ? `pipeline #${env["CIRCLE_PIPELINE_NUM"]}` : undefined;
  if (pipeline === undefined) return undefined;
  const job = env["CIRCLE_JOB"];
  return `${pipeline}${job ? ` job ${job}` : ""}`.slice(0, 256);
}

/** True when the revision records that this run's rollback pointed services at it. */
export function rolledBackByRun(tags: Readonly<Record<string, string>>, runKey: string | undefined): boolean {
  return runKey !== undefined && tags[TAG.rollbackRun] === runKey.slice(0, 256);
}

/** The services that run one revision: they move together, to one target. */
export interface RevisionGroup {
  readonly current: RevisionName;
  readonly currentArn: string;
  readonly services: readonly Service[];
  /** The services' environment (what their revision records, else the cluster's name): targets are chosen within it. */
  readonly environment?: string;
}

/** Groups the services by the revision each runs, in the order given. */
export function groupByRevision(services: readonly Service[]): RevisionGroup[] {
  const groups = new Map<string, { current: RevisionName; currentArn: string; services: Service[] }>();
  for (const service of services) {
    const arn = service.taskDefinition ?? "";
    const current = parseRevisionName(arn);
    if (!current) throw new ValidationError(`rollback: service ${service.serviceName ?? "?"} runs "${arn}", not a task definition revision`);
    const group = groups.get(arn) ?? { current, currentArn: arn, services: [] };
    group.services.push(service);
    groups.set(arn, group);
  }
  return [...groups.values()];
}

/** The service names of a group, as people read them. */
export function serviceNames(group: Pick<RevisionGroup, "services">): string {
  return group.services.map((s) => s.serviceName ?? "").join(", ");
}

/** What the reads found for one group: the decision and every revision read (with tags). */
export interface GroupChoice {
  readonly group: RevisionGroup;
  readonly decision: RollbackTargetDecision;
  /** Revisions of the family read so far (the target among them when found). */
  readonly known: readonly RevisionRecord[];
  /** ACTIVE ARNs listed but not read (newer than the current one, for `previous`). */
  readonly unread: readonly string[];
  /** True when this run's rollback already pointed the group here (a re-run). */
  readonly rolledBackByRun: boolean;
}

/** One group and where it goes. */
export interface RollbackMove {
  readonly group: RevisionGroup;
  readonly target: RevisionRecord;
  readonly note: string | null;
  readonly known: readonly RevisionRecord[];
  readonly unread: readonly string[];
}

/** The rollback plan: where each group goes, and which groups stay. */
export interface RollbackPlan {
  /** Every group with its target (`unchanged` ones target what they run). */
  readonly all: readonly RollbackMove[];
  /** The groups whose target differs from what they run: these are updated. */
  readonly moving: readonly RollbackMove[];
  /** The groups this run's rollback already moved (a re-run): left as they are. */
  readonly rolledBackByRun: readonly RollbackMove[];
}

/**
 * The plan from the choices: a group without a target is exit 2 (every problem in one line); a
 * group already on its target, or moved there by this run's rollback, stays.
 */
export function planRollback(to: RollbackTo, choices: readonly GroupChoice[]): RollbackPlan {
  const problems = choices.flatMap((c) => (c.decision.status === "none" ? [`${serviceNames(c.group)} (on ${formatRevisionName(c.group.current)}): ${c.decision.reason}`] : []));
  if (problems.length > 0) throw new ValidationError(`rollback --to ${formatRollbackTo(to)}: ${problems.join("; ")}`, { problems });
  const all = choices.map((c): RollbackMove => {
    if (c.decision.status !== "found") throw new ValidationError(`internal: no decision for ${serviceNames(c.group)}`);
    return { group: c.group, target: c.decision.target, note: c.decision.note ?? null, known: c.known, unread: c.unread };
  });
  return {
    all,
    moving: all.filter((m) => m.target.arn !== m.group.currentArn),
    rolledBackByRun: all.filter((_, i) => choices[i]?.rolledBackByRun === true),
  };
}

/** A revision left registered although rolled back from or failed, and why (the result's shape). */
export interface SparedRef {
  readonly arn: string;
  readonly revision: string;
  readonly reason: string;
}

/** What is deregistered once every service is stable on its target, and what is spared. */
export interface DeregistrationPlan {
  /** Newest first per family; never a target. */
  readonly deregister: readonly RevisionRecord[];
  readonly spared: readonly SparedRef[];
  /** The revisions rolled back from (tagged TAG.outcome=rolled-back), never a target. */
  readonly rolledBackFrom: readonly string[];
}

/**
 * For every move: the revision rolled back from and the failed ones newer than the target
 * (selectRevisionsToDeregister), minus every target, minus what `inUse` names (any service in any
 * cluster of the region) or what is tagged to keep.
 */
export function planDeregistration(moving: readonly RollbackMove[], inUse: ReadonlyMap<string, readonly string[]>): DeregistrationPlan {
  const targets = new Set(moving.map((m) => m.target.arn));
  const deregister = new Map<string, RevisionRecord>();
  const spared = new Map<string, SparedRef>();
  for (const { group, target, known } of moving) {
    const from = known.filter((r) => r.arn === group.currentArn);
    const selection = selectRevisionsToDeregister({ target, rolledBackFrom: from, revisions: known, inUse });
    for (const record of selection.deregister) if (!targets.has(record.arn)) deregister.set(record.arn, record);
    for (const s of selection.spared) spared.set(s.record.arn, { arn: s.record.arn, revision: formatRevisionName(s.record), reason: s.reason });
  }
  const rolledBackFrom = [...new Set(moving.map((m) => m.group.currentArn))].filter((arn) => !targets.has(arn));
  return { deregister: [...deregister.values()], spared: [...spared.values()], rolledBackFrom };
}

/** The revisions known after a rollback recorded its outcome: those rolled back from now read rolled-back. */
export function withRolledBackTags(known: readonly RevisionRecord[], rolledBackFrom: readonly string[]): RevisionRecord[] {
  return known.map((r) => (rolledBackFrom.includes(r.arn) ? { ...r, tags: { ...r.tags, [TAG.outcome]: "rolled-back" } } : r));
}
