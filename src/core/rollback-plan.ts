/**
 * The rollback plan: every check `rollback` makes on what it read before it writes anything. Pure;
 * the command does the reads and the writes. Every check throws a ValidationError (exit 2) with one
 * actionable line.
 */
import type { Service } from "@aws-sdk/client-ecs";
import { ValidationError } from "./errors.js";

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
