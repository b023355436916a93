import type { AwsClients } from "../aws/clients.js";
import { describeServices } from "../aws/ecs.js";
import { describeRevisions } from "../aws/task-definitions.js";
import { ValidationError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { summarizeService, type ServiceStatus } from "../core/service-status.js";

/** What `ecs-release status` was asked for. */
export interface StatusOptions {
  readonly cluster: string;
  readonly services: readonly string[];
}

/** What status needs from outside. */
export interface StatusDeps {
  readonly aws: Pick<AwsClients, "ecs" | "region">;
  readonly log: Logger;
  readonly signal: AbortSignal;
}

/** The result document (`--json`). */
export interface StatusResult {
  readonly cluster: string;
  readonly services: readonly ServiceStatus[];
}

/**
 * Describes the services (one DescribeServices per 10) and the revisions their deployments use
 * (for the commit SHA and outcome), and summarises each: running revision, counts, every
 * deployment in flight, the latest events, deployment-configuration warnings. Read-only.
 */
export async function run(options: StatusOptions, deps: StatusDeps): Promise<StatusResult> {
  if (options.services.length === 0) throw new ValidationError("status: pass at least one --service");
  const { services, missing } = await describeServices(deps.aws, options.cluster, options.services, deps.signal);
  const gone = [...missing, ...services.filter((s) => s.status === "INACTIVE").map((s) => s.serviceName ?? "")];
  if (gone.length > 0) throw new ValidationError(`service${gone.length > 1 ? "s" : ""} not found in cluster ${options.cluster}: ${gone.join(", ")} (check --service)`);
  const arns = [...new Set(services.flatMap((s) => [s.taskDefinition, ...(s.deployments ?? []).map((d) => d.taskDefinition)]).filter((arn): arn is string => !!arn))];
  const records = await describeRevisions(deps.aws, arns, { signal: deps.signal });
  const byArn = new Map(records.map((r) => [r.arn, r]));
  return { cluster: options.cluster, services: services.map((service) => summarizeService(service, byArn)) };
}
