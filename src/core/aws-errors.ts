/**
 * What an AWS answer means for the user, in words. Pure: src/aws makes the calls and recognises the
 * answers (an error code, a resource that is not there); the errors it throws are built here, so
 * every sentence a user reads about AWS is in one place and table-tested.
 *
 * - Any SDK failure → translateAwsError: missing credentials or region are bad configuration (exit 2),
 *   an aborted call is an interruption (exit 130), anything else an AwsCallError naming the operation
 *   and the resource (exit 3; the SDK has already retried).
 * - A cluster, service, task definition or repository that is not there → a ValidationError (exit 2)
 *   that names it and the flag to check.
 */
import { AwsCallError, EcsReleaseError, InterruptedError, ValidationError } from "./errors.js";

/** The AWS error code of an SDK exception (`ClusterNotFoundException`, `ThrottlingException`, ...). */
export function awsErrorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const candidate = error as { name?: unknown; Code?: unknown; __type?: unknown };
  if (typeof candidate.Code === "string") return candidate.Code;
  return typeof candidate.name === "string" ? candidate.name : undefined;
}

/** Translates an SDK exception into an ecs-release error (ours are returned as they are). */
export function translateAwsError(operation: string, resource: string, error: unknown): EcsReleaseError {
  if (error instanceof EcsReleaseError) return error;
  const code = awsErrorCode(error) ?? "Error";
  // The whole message, not its first line: it is redacted when printed, and a SecureString echoed
  // over several lines is masked only when it is whole (the logger then prints it on one line).
  const message = error instanceof Error ? error.message : String(error);
  if (code === "AbortError") return new InterruptedError(`interrupted during ${operation} ${resource}`, { cause: error });
  if (code === "CredentialsProviderError" || /Could not load credentials/i.test(message)) {
    return new ValidationError(
      "no AWS credentials found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE (CircleCI OIDC)",
      { cause: error },
    );
  }
  if (/Region not accepted|Invalid region/i.test(message)) {
    const region = /region="([^"]*)"/.exec(message)?.[1];
    return new ValidationError(`${region === undefined ? "the AWS region" : `AWS region "${region}"`} is not valid: pass --region or AWS_REGION like us-east-1`, { cause: error });
  }
  if (/Region is missing/i.test(message)) {
    return new ValidationError("no AWS region: pass --region, set AWS_REGION, or set region in the profile of the shared config file", { cause: error });
  }
  return new AwsCallError(operation, resource, `${code}: ${message}`, { cause: error, code });
}

/** DescribeServices or ListServices answered ClusterNotFoundException (release, status, rollback, prune). */
export function clusterNotFoundError(cluster: string, region: string | undefined, cause: unknown): ValidationError {
  return new ValidationError(`cluster "${cluster}" not found${region ? ` in ${region}` : ""} (check --cluster and the region)`, { cause });
}

/** run-task and pre-deploy: the cluster is not there, or not ACTIVE (DescribeClusters). */
export function clusterForTaskNotFoundError(cluster: string, cause?: unknown): ValidationError {
  return new ValidationError(`cluster ${cluster} does not exist in this account and region (check --cluster and --region)`, { cause });
}

/** DescribeTaskDefinition answered that the revision does not exist (ECS's own words in brackets). */
export function taskDefinitionNotFoundError(taskDefinition: string, message: string, cause: unknown): ValidationError {
  return new ValidationError(`task definition "${taskDefinition}" does not exist (${message})`, { cause });
}

/**
 * A task definition named by a flag (`--task-definition`, …) that cannot run: `unknown` (ECS does not
 * know it), `missing` (an answer without it), `deleting` (DELETE_IN_PROGRESS).
 */
export function taskDefinitionFlagError(flag: string, reference: string, problem: "unknown" | "missing" | "deleting", cause?: unknown): ValidationError {
  const text = {
    unknown: "no such task definition in this account and region (check the family, the revision and --region)",
    missing: "no such task definition",
    deleting: "the revision is being deleted",
  }[problem];
  return new ValidationError(`${flag} ${reference}: ${text}`, cause === undefined ? undefined : { cause });
}

/** The service a one-off task copies its settings from (`--like-service`) is not there, or not ACTIVE. */
export function serviceToCopyNotFoundError(flag: string, service: string, cluster: string, inactive: boolean): ValidationError {
  return new ValidationError(`${flag} ${service}: no ${inactive ? "ACTIVE " : ""}service of that name in cluster ${cluster}`);
}

/** DescribeImages answered RepositoryNotFoundException. */
export function repositoryNotFoundError(repository: string, cause: unknown): ValidationError {
  return new ValidationError(`ECR repository "${repository}" does not exist (check --repository and the region)`, { cause });
}
