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
