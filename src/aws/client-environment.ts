/**
 * What the AWS clients read from the environment the CLI was given: each service's endpoint and the
 * keys. Apart from clients.ts (no SDK client here), so that the credentials can be set up — and STS
 * asked — before the clients load.
 */
import type { AwsCredentialIdentity } from "@aws-sdk/types";

/** The services this tool calls, by the identifier their endpoint variable uses. */
export type EndpointService = "ECS" | "SSM" | "ECR" | "STS" | "KMS" | "SECRETS_MANAGER" | "EVENTBRIDGE" | "SCHEDULER" | "CLOUDWATCH_LOGS" | "IAM";

/**
 * The endpoint configured in `env`, as the SDKs read it: `AWS_ENDPOINT_URL_<SERVICE>`, else
 * `AWS_ENDPOINT_URL`; neither when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html). Undefined: the
 * SDK's own resolution (the shared config file's `endpoint_url`, else AWS's endpoint).
 */
export function configuredEndpoint(env: Readonly<Record<string, string | undefined>>, service: EndpointService): string | undefined {
  if (env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.toLowerCase() === "true") return undefined;
  return env[`AWS_ENDPOINT_URL_${service}`] || env["AWS_ENDPOINT_URL"] || undefined;
}

/** `{ endpoint }` for a client's configuration when `env` configures one for `service`, else `{}`. */
export function endpointOption(env: Readonly<Record<string, string | undefined>> | undefined, service: EndpointService): { endpoint?: string } {
  const url = env === undefined ? undefined : configuredEndpoint(env, service);
  return url === undefined ? {} : { endpoint: url };
}

/**
 * Keys from `env`, as the first provider of the SDK's default chain reads them (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION), and only when the chain
 * would use them: not when AWS_PROFILE names a profile
 * (https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/setting-credentials-node.html).
 * Undefined: the rest of the default chain decides.
 */
export function environmentCredentials(env: Readonly<Record<string, string | undefined>>): AwsCredentialIdentity | undefined {
  const accessKeyId = env["AWS_ACCESS_KEY_ID"];
  const secretAccessKey = env["AWS_SECRET_ACCESS_KEY"];
  if (!accessKeyId || !secretAccessKey || env["AWS_PROFILE"]) return undefined;
  const sessionToken = env["AWS_SESSION_TOKEN"];
  const expiration = env["AWS_CREDENTIAL_EXPIRATION"];
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}), ...(expiration ? { expiration: new Date(expiration) } : {}) };
}

