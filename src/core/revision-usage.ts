/**
 * Which services use which revision, across every cluster of the region. Pure: the shell lists the
 * clusters and describes their services. A task definition family is often shared by services in
 * several clusters (staging and prod), so "no service uses it" must look at all of them.
 */
import type { Service } from "@aws-sdk/client-ecs";

/** One cluster's ACTIVE and DRAINING services, as DescribeServices returned them. */
export interface ClusterServices {
  /** The cluster's ARN (or name). */
  readonly cluster: string;
  readonly services: readonly Service[];
}

/** The cluster name of a cluster ARN or name. */
export function clusterName(arnOrName: string): string {
  return arnOrName.slice(arnOrName.lastIndexOf("/") + 1);
}

/**
 * Task definition ARN → the services with a deployment (or current task definition) using it.
 * Services of `home` are named as they are; those of other clusters as `service (cluster NAME)`.
 * Services of `home` named in `exclude` do not count (the services a rollback moves away).
 */
export function revisionUsers(clusters: readonly ClusterServices[], options: { readonly home?: string; readonly exclude?: readonly string[] } = {}): Map<string, string[]> {
  const home = options.home === undefined ? undefined : clusterName(options.home);
  const exclude = new Set(options.exclude ?? []);
  const inUse = new Map<string, string[]>();
  for (const { cluster, services } of clusters) {
    const name = clusterName(cluster);
    for (const service of services) {
      const serviceName = service.serviceName ?? clusterName(service.serviceArn ?? "");
      if (name === home && exclude.has(serviceName)) continue;
      const user = name === home ? serviceName : `${serviceName} (cluster ${name})`;
      for (const arn of new Set([service.taskDefinition, ...(service.deployments ?? []).map((d) => d.taskDefinition)])) {
        if (!arn) continue;
        const users = inUse.get(arn) ?? [];
        if (!users.includes(user)) users.push(user);
        inUse.set(arn, users);
      }
    }
  }
  return inUse;
}

/** A rule target or schedule that runs an ECS task (src/aws/schedules.ts). */
export interface ScheduledTaskTarget {
  readonly kind: "rule" | "schedule";
  /** The rule's name (`BUS/NAME` off the default bus) or the schedule's (`GROUP/NAME` off the default group). */
  readonly id: string;
  /** The rule target's id (empty for a schedule). */
  readonly targetId: string;
  /** The target: the ECS cluster's ARN. */
  readonly targetArn: string;
  /** The task definition as the target names it: a revision's ARN, or a family's (its latest ACTIVE revision). */
  readonly taskDefinitionArn: string;
}

/** Who runs what: by revision (`family:revision`), and by family for targets naming a family without a revision. */
export interface ScheduledUsers {
  readonly byRevision: Map<string, string[]>;
  readonly byFamily: Map<string, string[]>;
}

/** How a scheduled target is named to people. */
export function scheduledUserName(target: ScheduledTaskTarget): string {
  return target.kind === "rule" ? `EventBridge rule ${target.id}` : `EventBridge Scheduler schedule ${target.id}`;
}

/**
 * The scheduled targets by the revision they run: an ARN ending in `family:revision` names that
 * revision; one ending in the family alone (or `family` written bare) runs the family's latest ACTIVE
 * revision when the task starts.
 */
export function scheduledUsers(targets: readonly ScheduledTaskTarget[]): ScheduledUsers {
  const byRevision = new Map<string, string[]>();
  const byFamily = new Map<string, string[]>();
  const add = (map: Map<string, string[]>, key: string, user: string): void => {
    const users = map.get(key) ?? [];
    if (!users.includes(user)) users.push(user);
    map.set(key, users);
  };
  for (const target of targets) {
    const reference = target.taskDefinitionArn;
    const name = reference.slice(reference.lastIndexOf("/") + 1);
    if (/:\d+$/.test(name)) add(byRevision, name, scheduledUserName(target));
    else if (name !== "") add(byFamily, name, scheduledUserName(target));
  }
  return { byRevision, byFamily };
}

/**
 * `inUse` (task definition ARN → users) with the rules and schedules that name one of `records` by
 * revision added: what rollback's cleanup must not deregister. Family-wide targets are left out: they
 * run whatever revision is the latest ACTIVE one when they start.
 */
export function withScheduledUsers(
  inUse: ReadonlyMap<string, readonly string[]>,
  targets: readonly ScheduledTaskTarget[],
  records: ReadonlyArray<{ readonly arn: string; readonly family: string; readonly revision: number }>,
): Map<string, string[]> {
  const { byRevision } = scheduledUsers(targets);
  const merged = new Map([...inUse].map(([arn, users]) => [arn, [...users]]));
  for (const record of records) {
    const scheduled = byRevision.get(`${record.family}:${record.revision}`) ?? [];
    if (scheduled.length === 0) continue;
    merged.set(record.arn, [...new Set([...(merged.get(record.arn) ?? []), ...scheduled])]);
  }
  return merged;
}
