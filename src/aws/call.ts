import { AwsCallError, EcsReleaseError, InterruptedError, ValidationError } from "../core/errors.js";

/**
 * Runs one AWS call and translates what the SDK throws into our errors: missing credentials and a
 * missing region are bad configuration (exit 2), an aborted call is an interruption, everything else
 * is an AwsCallError naming the operation and the resource (exit 3). The SDK has already retried.
 */
export async function awsCall<T>(operation: string, resource: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw translateAwsError(operation, resource, error);
  }
}

/** The AWS error code of an SDK exception (`ClusterNotFoundException`, `ThrottlingException`, ...). */
export function awsErrorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const candidate = error as { name?: unknown; Code?: unknown; __type?: unknown };
  if (typeof candidate.Code === "string") return candidate.Code;
  return typeof candidate.name === "string" ? candidate.name : undefined;
}

/** Translates an SDK exception into an ecs-release error (see awsCall). */
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
    return new ValidationError("no AWS region: pass --region or set AWS_REGION", { cause: error });
  }
  return new AwsCallError(operation, resource, `${code}: ${message}`, { cause: error, code });
}
