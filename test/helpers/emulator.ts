/**
 * Shared vitest helpers for suites that run the real AWS SDK against the emulator.
 */
import { afterAll, afterEach, beforeAll } from "vitest";
import { ECSClient } from "@aws-sdk/client-ecs";
import { SSMClient } from "@aws-sdk/client-ssm";
import { ECRClient } from "@aws-sdk/client-ecr";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { IAMClient } from "@aws-sdk/client-iam";
import { appendFileSync } from "node:fs";
import { relative } from "node:path";
import { startEmulator, type CallLogEntry, type Emulator, type MotoCallCounts } from "../emulator/index.js";
import { evaluateCliRuns } from "./iam-check.js";

/** What {@link useEmulator} returns: the suite's emulator and the environment pointing at it. */
export interface EmulatorHandle {
  /** The running emulator; only valid inside tests and hooks (after beforeAll). */
  readonly emulator: Emulator;
  /** Environment variables for a child process (or SDK) talking to the emulator. */
  env(): Record<string, string>;
}

/** Real SDK clients configured for the emulator. */
export interface AwsClients {
  ecs: ECSClient;
  ssm: SSMClient;
  ecr: ECRClient;
  logs: CloudWatchLogsClient;
  iam: IAMClient;
  /** The SecureStrings snapshots of --secure-strings secretsmanager (the default). */
  secretsManager: SecretsManagerClient;
  /** The emulator the clients talk to, when it can put a set-up back from a snapshot (seed.ts, fromSnapshot). */
  readonly snapshots?: Pick<Emulator, "restore" | "snapshot"> | undefined;
}

/** Options for {@link awsClients}. */
export interface AwsClientOptions {
  /** SDK attempts per call (1 = no retries); the SDK default when undefined. */
  maxAttempts?: number;
}

/** Region every suite uses. */
export const REGION = "us-east-1";
/** moto's default account id. */
export const ACCOUNT_ID = "123456789012";

/** The environment a process needs to use the emulator at `url`. */
export function emulatorEnv(url: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: url,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

/**
 * When set (a file path), each test file using the emulator appends one JSON line to it: the file and
 * the requests the emulator sent to moto while it ran, by operation (`npx tsx scripts/moto-calls.ts FILE`
 * sums them).
 */
export const MOTO_CALLS_VARIABLE = "EMULATOR_MOTO_CALLS";

let shared: Promise<Emulator> | undefined;

/**
 * The emulator of this test worker: started by the first suite that asks, then kept for the worker's
 * later test files (vitest runs them in the same process, `isolate: false`), so moto's start and
 * warm-up are paid once per worker rather than once per file. It stops when the worker exits: moto
 * leaves as soon as its stdin pipe closes (test/emulator/moto-process.ts).
 */
function workerEmulator(): Promise<Emulator> {
  shared ??= startEmulator().catch((error: unknown) => {
    shared = undefined;
    throw error;
  });
  return shared;
}

/**
 * The emulator for the current test file, reset before the file's first test (beforeAll): resources,
 * rules, faults, consistency settings, the simulated clock and the call log are as after a fresh start.
 * Resetting between tests is left to the suite (`await handle.emulator.reset()` in beforeEach).
 * After each test, every AWS call the CLI made (runCli) is evaluated against its job's IAM policy.
 */
export function useEmulator(): EmulatorHandle {
  let current: Emulator | undefined;
  let before: MotoCallCounts | undefined;
  beforeAll(async () => {
    current = await workerEmulator();
    if (process.env[MOTO_CALLS_VARIABLE]) before = await current.motoCalls();
    await current.reset();
  });
  afterEach(async () => {
    const emulator = current;
    await evaluateCliRuns(async () => (emulator === undefined ? [] : emulator.callLog()));
  });
  afterAll(async ({}, suite) => {
    const file = process.env[MOTO_CALLS_VARIABLE];
    if (file && current !== undefined && before !== undefined) {
      const after = await current.motoCalls();
      const calls: MotoCallCounts = {};
      for (const [key, { count, ms }] of Object.entries(after)) {
        const earlier = before[key] ?? { count: 0, ms: 0 };
        if (count > earlier.count) calls[key] = { count: count - earlier.count, ms: ms - earlier.ms };
      }
      appendFileSync(file, `${JSON.stringify({ file: relative(process.cwd(), suite.file.filepath), calls })}\n`);
    }
    current = undefined;
  });
  return {
    get emulator(): Emulator {
      if (current === undefined) throw new Error("the emulator is only available inside tests and hooks");
      return current;
    },
    env(): Record<string, string> {
      if (current === undefined) throw new Error("the emulator is only available inside tests and hooks");
      return emulatorEnv(current.url);
    },
  };
}

/**
 * ECS, SSM, ECR, CloudWatch Logs and IAM clients for the emulator (region us-east-1, static test
 * credentials). Given the whole emulator, the seeds (seed.ts) may put their set-up back from a snapshot.
 */
export function awsClients(emulator: Pick<Emulator, "url"> & Partial<Pick<Emulator, "restore" | "snapshot">>, options: AwsClientOptions = {}): AwsClients {
  const config = {
    region: REGION,
    endpoint: emulator.url,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  };
  const { restore, snapshot } = emulator;
  return {
    ecs: new ECSClient(config),
    ssm: new SSMClient(config),
    ecr: new ECRClient(config),
    logs: new CloudWatchLogsClient(config),
    iam: new IAMClient(config),
    secretsManager: new SecretsManagerClient(config),
    ...(restore === undefined || snapshot === undefined ? {} : { snapshots: { restore, snapshot } }),
  };
}

const WRITE_PREFIXES = ["Register", "Update", "Create", "Put", "Delete", "Deregister", "Tag", "Untag", "Run", "Stop", "Start"];

/** True for operation names that change state (Register…, Update…, Put…, Run…, …). */
export function isWriteOperation(operation: string): boolean {
  return WRITE_PREFIXES.some((prefix) => operation.startsWith(prefix));
}

/** The mutating calls of a call log, in order. */
export function writeOperations(log: readonly CallLogEntry[]): CallLogEntry[] {
  return log.filter((entry) => isWriteOperation(entry.operation));
}
