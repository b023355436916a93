import { ECRClient } from "@aws-sdk/client-ecr";
import { ECSClient } from "@aws-sdk/client-ecs";
import { SSMClient } from "@aws-sdk/client-ssm";
import type { AwsCredentialIdentityProvider } from "@aws-sdk/types";
import type { Logger } from "../core/logger.js";

/** The AWS SDK clients a command uses, configured once. */
export interface AwsClients {
  readonly region: string;
  readonly ecs: ECSClient;
  readonly ssm: SSMClient;
  readonly ecr: ECRClient;
}

/** How to reach AWS. Endpoints come from AWS_ENDPOINT_URL(_<SERVICE>), read by the SDK itself. */
export interface AwsClientOptions {
  readonly region: string;
  /** Logs each call's retries under --debug. */
  readonly log?: Logger;
  /** Attempts per call, including the first (default 6). */
  readonly maxAttempts?: number;
  /** Credentials for every client (oidc-credentials.ts); the SDK's default chain when undefined. */
  readonly credentials?: AwsCredentialIdentityProvider;
}

/**
 * Builds the clients. Retries use the SDK's `adaptive` mode: exponential backoff with jitter plus a
 * client-side token bucket that slows down when AWS throttles, so a throttled release keeps going
 * instead of failing. Credentials come from the SDK's default chain (environment keys, profiles,
 * web identity: `AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE`, which is how CircleCI OIDC works).
 * Each client is created on first use.
 */
export function createAwsClients(options: AwsClientOptions): AwsClients {
  const config = {
    region: options.region,
    retryMode: "adaptive",
    maxAttempts: options.maxAttempts ?? 6,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
    ...(options.log ? { logger: sdkLogger(options.log) } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  } as const;
  let ecs: ECSClient | undefined;
  let ssm: SSMClient | undefined;
  let ecr: ECRClient | undefined;
  return {
    region: options.region,
    get ecs() {
      return (ecs ??= new ECSClient(config));
    },
    get ssm() {
      return (ssm ??= new SSMClient(config));
    },
    get ecr() {
      return (ecr ??= new ECRClient(config));
    },
  };
}

function sdkLogger(log: Logger) {
  // The SDK logs request and response objects at debug level; only its warnings are worth a line.
  return {
    trace() {},
    debug() {},
    info() {},
    warn: (...content: unknown[]) => log.debug(`aws sdk: ${content.map(String).join(" ")}`),
    error: (...content: unknown[]) => log.debug(`aws sdk: ${content.map(String).join(" ")}`),
  };
}
