import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { ECRClient } from "@aws-sdk/client-ecr";
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { SchedulerClient } from "@aws-sdk/client-scheduler";
import { ECSClient } from "@aws-sdk/client-ecs";
import type { KMSClient } from "@aws-sdk/client-kms";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { IAMClient } from "@aws-sdk/client-iam";
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { AwsCredentialIdentityProvider } from "@aws-sdk/types";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/logger.js";
import { endpointOption, environmentCredentials, type EndpointService } from "./client-environment.js";
import { clockRetryStrategy } from "./retry.js";

// What the clients read from the environment (endpoints, keys) lives apart, without the SDK's clients.
export { configuredEndpoint, endpointOption, environmentCredentials, type EndpointService } from "./client-environment.js";

/**
 * A client whose SDK module is loaded, and the client built, on its first call (`send`, as the SDK
 * client's): every service's but ECS's and ECR's (later-clients.ts). So a command evaluates only the
 * clients it calls, when it calls them, and the panic rollback's first request (ECS) leaves before the
 * other clients' modules are evaluated (docs/performance.md, "Clients loaded on their first call").
 * ECS and ECR, which the deploying commands call first, load with this module: nothing to gain from
 * the wait. One module for the seven: a dynamic import keeps every export of the module it names (so
 * not the packages' own, which export every command), and each module imported so is a chunk of its
 * own in the bundle, with its own bytes of module wrapping. The orb's job builds load it at start
 * (scripts/build.ts, eagerClients).
 */
export interface LazyClient<T extends { send: unknown }> extends ServiceClient<T> {
  /** The SDK client itself (its module loaded and the client built once). */
  readonly sdk: () => Promise<T>;
}

/** What the commands use of an SDK client: `send`. An SDK client is one; so is a LazyClient. */
export type ServiceClient<T extends { send: unknown }> = Pick<T, "send">;

/** The AWS SDK clients a command uses, configured once. */
export interface AwsClients {
  readonly region: string;
  readonly ecs: ServiceClient<ECSClient>;
  /**
   * A second ECS client for the rollout and task waits' polls: its own adaptive rate limiter, so
   * throttled polls do not slow the writes (see pollingClient).
   */
  readonly ecsPoll: ServiceClient<ECSClient>;
  readonly ssm: ServiceClient<SSMClient>;
  readonly ecr: ServiceClient<ECRClient>;
  /** Only release's saved plans (--plan-key) call KMS; the job builds that never do leave the client out (scripts/build.ts). */
  readonly kms: ServiceClient<KMSClient>;
  /** --secure-strings secretsmanager (release) and the rollback target's secret versions. */
  readonly secretsManager: ServiceClient<SecretsManagerClient>;
  /** CloudWatch Logs: the containers' awslogs output, and whether their log groups exist. */
  readonly logs: ServiceClient<CloudWatchLogsClient>;
  /** IAM (read only): whether a task definition's execution role exists and trusts ECS tasks. */
  readonly iam: ServiceClient<IAMClient>;
  /** EventBridge (rules whose targets run task definitions: schedules.ts). */
  readonly events: ServiceClient<EventBridgeClient>;
  /** EventBridge Scheduler (schedules that run task definitions: schedules.ts). */
  readonly scheduler: ServiceClient<SchedulerClient>;
  /**
   * The HTTP agents `ecs`, `ecr` and `secretsManager` are built with, when set before they are
   * (connections.ts, openAhead); unset, the SDK's own.
   */
  readonly agents?: { ECS?: RequestAgents; ECR?: RequestAgents; SECRETS_MANAGER?: RequestAgents };
}

/** A client's agents, as the SDK's Node.js request handler takes them. */
export interface RequestAgents {
  readonly httpAgent: object;
  readonly httpsAgent: object;
}

/** How to reach AWS. Endpoints come from AWS_ENDPOINT_URL(_<SERVICE>), read by the SDK itself. */
export interface AwsClientOptions {
  readonly region: string;
  /** Logs each call's retries under --debug. */
  readonly log?: Logger;
  /** Attempts per call, including the first (default 6; core/aws-settings.ts resolves AWS_MAX_ATTEMPTS). */
  readonly maxAttempts?: number;
  /** `adaptive` (default) or `standard` (core/aws-settings.ts resolves AWS_RETRY_MODE). */
  readonly retryMode?: "standard" | "adaptive";
  /** Credentials for every client (oidc-credentials.ts); else keys from `env`; else the SDK's default chain. */
  readonly credentials?: AwsCredentialIdentityProvider;
  /**
   * The environment the CLI was given (main's `env`; `process.env` when run as a program). Endpoints
   * and environment keys are read from it rather than from `process.env`, so a run in-process sees
   * exactly the environment it was passed. Undefined: the SDK reads `process.env` itself.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * The clock retries back off on (main's clock): the SDK's strategy for `retryMode`, its waits slept
   * on this clock (retry.ts). Undefined: the SDK's strategy on its own timers.
   */
  readonly clock?: Clock;
}

/**
 * Builds the clients. Retries use the SDK's `adaptive` mode unless told otherwise: exponential backoff
 * with jitter plus a client-side token bucket that slows down when AWS throttles, so a throttled
 * release keeps going instead of failing. The bucket is per client, and AWS throttles each API
 * separately (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html: adaptive
 * mode assumes one client per throttled resource): the waits poll on `ecsPoll`, so their throttling
 * never delays the writes on `ecs`. Credentials come from the SDK's default chain (environment keys, profiles,
 * web identity: `AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE`, which is how CircleCI OIDC works).
 * Each client is built on first use; the seven of later-clients.ts, and their SDK modules, on their first call (LazyClient).
 */
export function createAwsClients(options: AwsClientOptions): AwsClients {
  const configFor = clientConfig(options);
  const agents: NonNullable<AwsClients["agents"]> = {};
  let ecs: ECSClient | undefined;
  let ecsPoll: ECSClient | undefined;
  let ssm: LazyClient<SSMClient> | undefined;
  let ecr: ECRClient | undefined;
  let kms: LazyClient<KMSClient> | undefined;
  let secretsManager: LazyClient<SecretsManagerClient> | undefined;
  let logs: LazyClient<CloudWatchLogsClient> | undefined;
  let iam: LazyClient<IAMClient> | undefined;
  let events: LazyClient<EventBridgeClient> | undefined;
  let scheduler: LazyClient<SchedulerClient> | undefined;
  return {
    region: options.region,
    agents,
    get ecs() {
      return (ecs ??= new ECSClient(configFor("ECS", agents.ECS)));
    },
    get ecsPoll() {
      return (ecsPoll ??= new ECSClient(configFor("ECS")));
    },
    // The lazy ones each written out: a helper given the class by name, or by a function, keeps
    // later-clients.ts's namespace object in the job builds (about 400 bytes the release job lacks).
    get ssm() {
      return (ssm ??= lazy(async () => new (await import("./later-clients.js")).SSMClient(configFor("SSM"))));
    },
    get ecr() {
      return (ecr ??= new ECRClient(configFor("ECR", agents.ECR)));
    },
    get kms() {
      return (kms ??= lazy(async () => new (await import("./later-clients.js")).KMSClient(configFor("KMS"))));
    },
    get secretsManager() {
      return (secretsManager ??= lazy(async () => new (await import("./later-clients.js")).SecretsManagerClient(configFor("SECRETS_MANAGER", agents.SECRETS_MANAGER))));
    },
    get logs() {
      return (logs ??= lazy(async () => new (await import("./later-clients.js")).CloudWatchLogsClient(configFor("CLOUDWATCH_LOGS"))));
    },
    get iam() {
      // IAM is global: its endpoint is iam.amazonaws.com whatever the region (the SDK resolves it from the region).
      return (iam ??= lazy(async () => new (await import("./later-clients.js")).IAMClient(configFor("IAM"))));
    },
    get events() {
      return (events ??= lazy(async () => new (await import("./later-clients.js")).EventBridgeClient(configFor("EVENTBRIDGE"))));
    },
    get scheduler() {
      return (scheduler ??= lazy(async () => new (await import("./later-clients.js")).SchedulerClient(configFor("SCHEDULER"))));
    },
  };
}

/**
 * A client's configuration for `service`: region, retries, timeouts, logger and keys shared by all, a
 * retry strategy of its own (the adaptive rate limiter is per client, see above) sleeping on `clock`
 * when there is one (retry.ts), and the endpoint `env` configures for it.
 */
function clientConfig(options: AwsClientOptions) {
  const { env, clock } = options;
  const credentials = options.credentials ?? (env === undefined ? undefined : environmentCredentials(env));
  const retryMode = options.retryMode ?? "adaptive";
  const maxAttempts = options.maxAttempts ?? 6;
  const config = {
    region: options.region,
    retryMode,
    maxAttempts,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
    ...(options.log ? { logger: sdkLogger(options.log) } : {}),
    ...(credentials ? { credentials } : {}),
  } as const;
  return (service: EndpointService, agents?: RequestAgents) => ({
    ...config,
    ...(agents && { requestHandler: { ...config.requestHandler, httpAgent: agents.httpAgent, httpsAgent: agents.httpsAgent } }),
    ...(clock === undefined ? {} : { retryStrategy: clockRetryStrategy({ mode: retryMode, maxAttempts, clock }) }),
    ...endpointOption(env, service),
  });
}

/**
 * A client built by `build` on the first call, once: a failure to build fails that call and every
 * later one. The SDK's callback form (`send(command, callback)`, `send(command, options, callback)`)
 * returns nothing, and a failure to build goes to the callback, as the SDK's own errors do.
 */
export function lazy<T extends { send: unknown }>(build: () => Promise<T>): LazyClient<T> {
  let client: Promise<T> | undefined;
  const sdk = (): Promise<T> => (client ??= build());
  const send = (...args: unknown[]): Promise<unknown> | undefined => {
    const sent = sdk().then((built) => (built.send as (...a: unknown[]) => Promise<unknown>).apply(built, args));
    const callback = args.at(-1);
    if (typeof callback !== "function") return sent;
    sent.catch((error: unknown) => (callback as (error: unknown) => void)(error));
    return undefined;
  };
  return { send: send as T["send"], sdk };
}

/** The client a wait polls with: `ecsPoll` when there is one (a separate rate limiter), else `ecs`. */
export function pollingClient(aws: Pick<AwsClients, "ecs"> & Partial<Pick<AwsClients, "ecsPoll">>): Pick<AwsClients, "ecs"> {
  return { ecs: aws.ecsPoll ?? aws.ecs };
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
