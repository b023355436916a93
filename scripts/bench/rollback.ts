/**
 * Benchmark (2): the panic rollback, cold (a fresh process), of one service to the previous revision
 * recorded as stable (each revision referencing a version of the service's SecureStrings snapshot, as
 * a default release leaves it), with every AWS call taking LATENCY_MS in the emulator (`POST /_sim/latency`, a
 * stand-in for the network): the time from just before spawn to the moment the emulator received
 * UpdateService, the calls before it, and the sequential round trips up to and including it (the
 * longest chain of calls each made after the one before it answered, test/helpers/round-trips.ts).
 * With local keys, and with CircleCI OIDC credentials (a token from a fake `circleci run oidc get`,
 * exchanged with the emulator's STS).
 */
import { CreateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fillPlaceholders, policyDocument, POLICIES } from "../../src/iam/policies.js";
import type { Emulator } from "../../test/emulator/index.js";
import type { AwsClients } from "../../test/helpers/emulator.js";
import { circleciClaims, circleciToken } from "../../test/helpers/jwt.js";
import { createCircleCiProvider, createRole, trustValues } from "../../test/helpers/oidc-roles.js";
import { registerRevision, rollOut } from "../../test/helpers/revisions.js";
import { callsBefore, longestChain } from "../../test/helpers/round-trips.js";
import { createService, SEED_NETWORK } from "../../test/helpers/seed.js";
import { countByOperation } from "./calls.js";
import { runTimed } from "./cli-process.js";
import { CLUSTER, emulatorEnv, randomSha } from "./platform.js";

export const ROLLBACK_SERVICE = "checkout";
/** What each AWS call takes in the rollback benchmarks (the latency proxy). */
export const LATENCY_MS = 40;
/**
 * What a new connection takes before its first call, in the handshake case: a TCP and a TLS 1.3
 * handshake, a round trip each (`POST /_sim/latency` connectionMs; docs/emulator.md), a round trip
 * being LATENCY_MS as for a call.
 */
export const CONNECTION_MS = 2 * LATENCY_MS;
/** The service (and family) of the handshake case: local keys, on a service of its own. */
export const HANDSHAKE_SUFFIX = "-handshakes";
/** The fewest sequential round trips to the first write: DescribeServices → {revisions, listing, record} → {DescribeImages, the snapshot's versions} → write; STS first with OIDC. */
export const MINIMUM_ROUND_TRIPS = { keys: 4, oidc: 5, inFlight: 4 } as const;

/** How the CLI gets its credentials. */
export type Credentials = "keys" | "oidc";

/** One rollback run; `pending` when this build has no rollback yet. */
export type RollbackRun =
  | {
      readonly pending: false;
      readonly toUpdateMs: number;
      /** Process start → its first AWS call (STS with OIDC): the start and the module loading (and the mint), before any round trip. */
      readonly firstCallMs: number;
      readonly callsBefore: Record<string, number>;
      readonly callsBeforeTotal: number;
      /** Sequential round trips up to and including UpdateService, and the chain that makes them. */
      readonly roundTrips: number;
      readonly chain: readonly string[];
      /** Calls up to and including UpdateService that waited for their connection's handshakes (0 without connectionMs). */
      readonly handshakes: number;
      readonly totalCalls: number;
      readonly wallMs: number;
    }
  | { readonly pending: true; readonly reason: string };

/** The service (and family) of each case: one per case, so that each starts from the same record (a suffix names another: a second build's, measured beside). */
export function rollbackService(credentials: Credentials): string {
  return credentials === "keys" ? ROLLBACK_SERVICE : `${ROLLBACK_SERVICE}-${credentials}`;
}

/**
 * The SecureStrings snapshot of a case's service, as a default release (--secure-strings
 * secretsmanager) leaves it: every revision references a version of it, which rollback checks
 * (ListSecretVersionIds) beside the images. Its `valueFrom`, pinned to the version it was created with.
 */
const snapshots = new Map<string, string>();

async function snapshotSecret(clients: AwsClients, service: string): Promise<string> {
  const known = snapshots.get(service);
  if (known !== undefined) return known;
  const { ARN, VersionId } = await clients.secretsManager.send(new CreateSecretCommand({ Name: `ecs-release/bench/${service}`, SecretString: JSON.stringify({ DATABASE_PASSWORD: "bench" }) }));
  const valueFrom = `${ARN}:DATABASE_PASSWORD::${VersionId}`;
  snapshots.set(service, valueFrom);
  return valueFrom;
}

/** A revision of a case's service: stable, its image in ECR, its snapshot's version referenced. */
async function registerCaseRevision(clients: AwsClients, service: string): Promise<string> {
  return registerRevision(clients, { family: service, sha: randomSha(), outcome: "stable", pushImage: true, secrets: [{ name: "DATABASE_PASSWORD", valueFrom: await snapshotSecret(clients, service) }] });
}

/** Creates the service of a case (family of its name, one stable revision to start with). */
export async function seedRollbackService(clients: AwsClients, credentials: Credentials = "keys", suffix = ""): Promise<void> {
  const name = `${rollbackService(credentials)}${suffix}`;
  const first = await registerCaseRevision(clients, name);
  await createService(clients, { cluster: CLUSTER, name, taskDefinition: first, desiredCount: 2, launchType: "FARGATE", networkConfiguration: SEED_NETWORK });
}

/**
 * Registers a known-good and a bad revision, rolls the service out to the bad one, then times `rollback`
 * (at LATENCY_MS a call, and `connectionMs` a new connection).
 */
export async function runRollback(emulator: Emulator, clients: AwsClients, credentials: Credentials = "keys", suffix = "", connectionMs = 0): Promise<RollbackRun> {
  const service = `${rollbackService(credentials)}${suffix}`;
  await registerCaseRevision(clients, service);
  const bad = await registerCaseRevision(clients, service);
  await rollOut(clients, CLUSTER, service, bad);
  const env = credentials === "oidc" ? await oidcEnv(emulator) : emulatorEnv(emulator.url);
  const before = (await emulator.callLog()).length;
  await emulator.setLatency(LATENCY_MS, connectionMs);
  const run = await runTimed(["rollback", "--cluster", CLUSTER, "--service", service, "--poll-interval", "1ms", "--json"], env).finally(() => emulator.setLatency(0));
  if (/not implemented/.test(run.stderr)) return { pending: true, reason: "rollback is not implemented in this build" };
  if (run.code !== 0) return { pending: true, reason: `rollback exited ${run.code}: ${run.stderr.trim().split("\n").slice(-1)[0] ?? ""}` };
  const log = (await emulator.callLog()).slice(before);
  const update = log.find((e) => e.operation === "UpdateService");
  if (update === undefined) return { pending: true, reason: "rollback made no UpdateService call" };
  const reads = callsBefore(log, "UpdateService");
  const chain = [...longestChain(reads), "UpdateService"];
  const counts = countByOperation(reads);
  return {
    pending: false,
    toUpdateMs: update.start - run.spawnedAt,
    firstCallMs: (log[0]?.start ?? update.start) - run.spawnedAt,
    callsBefore: counts,
    callsBeforeTotal: reads.length,
    roundTrips: chain.length,
    chain,
    handshakes: [...reads, update].filter((e) => (e.handshakeWaitMs ?? 0) > 0).length,
    totalCalls: log.length,
    wallMs: run.wallMs,
  };
}

/** The fake CircleCI CLI: `circleci run oidc get --claims '{"aud":"…"}'` prints a JWT issued at the emulator's now. */
const FAKE_CIRCLECI = `#!/usr/bin/env node
const aud = JSON.parse(process.argv[6]).aud;
fetch(process.env.AWS_ENDPOINT_URL + "/_sim/clock").then((r) => r.json()).then(({ now }) => {
  const part = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const iat = Math.floor(now / 1000);
  process.stdout.write(part({ alg: "RS256" }) + "." + part({ ...JSON.parse(process.env.FAKE_CIRCLECI_CLAIMS), aud, iat, exp: iat + 3600 }) + ".sig");
});
`;

let oidcDir: string | undefined;
let oidcRole = "";

/** A CircleCI job's environment with the orb's OIDC step (ECS_RELEASE_OIDC=circleci); the role and CircleCI's provider in the emulator's IAM. */
async function oidcEnv(emulator: Emulator): Promise<Record<string, string>> {
  if (oidcDir === undefined) {
    oidcDir = mkdtempSync(join(tmpdir(), "ecs-release-bench-oidc-"));
    mkdirSync(join(oidcDir, "bin"));
    writeFileSync(join(oidcDir, "bin", "circleci"), FAKE_CIRCLECI);
    chmodSync(join(oidcDir, "bin", "circleci"), 0o755);
    await createCircleCiProvider(emulator);
    oidcRole = await createRole(emulator, "ecs-release-bench", fillPlaceholders(policyDocument(POLICIES.trust), trustValues()));
  }
  const { AWS_ACCESS_KEY_ID: _key, AWS_SECRET_ACCESS_KEY: _secret, ...rest } = emulatorEnv(emulator.url);
  return {
    ...rest,
    PATH: `${join(oidcDir, "bin")}:${process.env["PATH"] ?? ""}`,
    ECS_RELEASE_OIDC: "circleci",
    AWS_ROLE_ARN: oidcRole,
    AWS_WEB_IDENTITY_TOKEN_FILE: join(oidcDir, "token"),
    CIRCLE_OIDC_TOKEN_V2: circleciToken(Date.now()),
    FAKE_CIRCLECI_CLAIMS: JSON.stringify(circleciClaims(0)),
  };
}
