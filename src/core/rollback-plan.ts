/**
 * The rollback plan: every check `rollback` makes on what it read before it writes anything. Pure;
 * the command does the reads and the writes. Every check throws a ValidationError (exit 2) with one
 * actionable line.
 */
import type { Service } from "@aws-sdk/client-ecs";
import { ValidationError } from "./errors.js";
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
