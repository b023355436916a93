/**
 * The panic rollback at the fewest sequential round trips before its first write. Every AWS call
 * waits 100 ms in the emulator (`POST /_sim/latency`), so calls made together overlap in the call log
 * and a call that needed another's answer starts after it ended; the longest chain of such calls,
 * plus the write, is what a user waits for. The minimum, by what each read needs to know:
 *
 * - local keys: DescribeServices → {the running revision and the candidates (DescribeTaskDefinition),
 *   the listing (ListTaskDefinitions), ECS's record (ListServiceDeployments)} → {DescribeImages of the
 *   target} → UpdateService: 4;
 * - OIDC: AssumeRoleWithWebIdentity first (the token is minted while the CLI loads): 5;
 * - a deployment in flight: DescribeServices → {the same, and DescribeServiceDeployments of the
 *   service's currentServiceDeployment} → {DescribeImages, DescribeServiceRevisions of its source and
 *   of the last completed deployment} → StopServiceDeployment: 4.
 *
 * Every safety check still runs before the write (the calls are asserted present): the stale-view
 * check (ListServiceDeployments), the target's record (DescribeTaskDefinition), its images (DescribeImages).
 *
 * And with a new connection's handshakes costing two round trips (`connectionMs`: TCP, then TLS 1.3):
 * only the first round trip waits for them; the connections of the reads made together after it, and ECR's, are
 * opened while it is in flight (src/aws/connections.ts).
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeServiceDeploymentsCommand, DescribeServicesCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { CreateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { fillPlaceholders, policyDocument, POLICIES } from "../../src/iam/policies.js";
import { runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";
import { circleciClaims, circleciToken } from "../helpers/jwt.js";
import { createCircleCiProvider, createRole, trustValues } from "../helpers/oidc-roles.js";
import { registerRevision, rollOut, sha, type RevisionSeed } from "../helpers/revisions.js";
import { createService, SEED_NETWORK, seedEachTest } from "../helpers/seed.js";
import { callsBefore, longestChain } from "../helpers/round-trips.js";

const handle = useEmulator();
const clients = seedEachTest(handle);
const LATENCY_MS = 100; // far longer than a loaded machine delays one of the calls made together
const dir = mkdtempSync(join(tmpdir(), "ecs-release-round-trips-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The fake CircleCI CLI: `circleci run oidc get --claims '{"aud":"…"}'` prints a JWT (as test/integration/oidc-long-job.test.ts). */
const FAKE_CIRCLECI = `#!/usr/bin/env node
const args = process.argv.slice(2);
if (args.slice(0, 4).join(" ") !== "run oidc get --claims") { console.error("fake circleci: unexpected " + args.join(" ")); process.exit(2); }
const aud = JSON.parse(args[4]).aud;
fetch(process.env.AWS_ENDPOINT_URL + "/_sim/clock").then((r) => r.json()).then(({ now }) => {
  const part = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const iat = Math.floor(now / 1000);
  const claims = { ...JSON.parse(process.env.FAKE_CIRCLECI_CLAIMS), aud, iat, exp: iat + 3600 };
  process.stdout.write(part({ alg: "RS256" }) + "." + part(claims) + ".sig");
});
`;

beforeEach(async () => {
  await handle.emulator.setLatency(0);
});

/** web on web:4 (recorded stable, like web:3 before it): `rollback` goes back to web:3. With `secrets`, each revision's. */
async function rolledOut(secrets?: RevisionSeed["secrets"]): Promise<void> {
  const seed = { family: "web", outcome: "stable", pushImage: true, ...(secrets ? { secrets } : {}) } as const;
  await registerRevision(clients, { ...seed, sha: sha("a") });
  await registerRevision(clients, { ...seed, sha: sha("b") });
  const bad = await registerRevision(clients, { ...seed, sha: sha("c") });
  await rollOut(clients, "prod", "web", bad);
}

/** A secret named `name` with one value; the `valueFrom` of its PASSWORD key, pinned to its version. */
async function pinnedSecret(name: string): Promise<string> {
  const { ARN, VersionId } = await clients.secretsManager.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ PASSWORD: "x" }) }));
  return `${ARN}:PASSWORD::${VersionId}`;
}

/** The round trips up to and including the first `write`, and the operations called before it. */
async function roundTrips(write: string, since: number): Promise<{ count: number; chain: string[]; before: string[] }> {
  const log = (await handle.emulator.callLog()).slice(since);
  expect(log.map((e) => e.operation)).toContain(write);
  const before = callsBefore(log, write);
  const chain = [...longestChain(before), write];
  return { count: chain.length, chain, before: before.map((e) => e.operation) };
}

/** Rolls web back (--debug: its stderr says what the early read did); where its calls start in the call log, and its stderr. */
async function rollback(env: Record<string, string> = {}, connectionMs = 0): Promise<{ since: number; stderr: string }> {
  const since = (await handle.emulator.callLog()).length;
  await handle.emulator.setLatency(LATENCY_MS, connectionMs);
  const run = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--no-wait", "--poll-interval", "10ms", "--debug"], { ...handle.env(), ...env });
  await handle.emulator.setLatency(0);
  expect(run.code, run.stderr).toBe(0);
  return { since, stderr: run.stderr };
}

describe("rollback: round trips before the first write", () => {
  it("local keys: 4 (DescribeServices → revisions, listing and ECS's record → DescribeImages → UpdateService), every check made", async () => {
    await rolledOut();
    const { since, stderr } = await rollback();
    const trips = await roundTrips("UpdateService", since);
    expect(trips.before).toEqual(expect.arrayContaining(["DescribeServices", "ListServiceDeployments", "DescribeTaskDefinition", "ListTaskDefinitions", "DescribeImages"]));
    expect(stderr).toContain("early read: DescribeServices answered by the request sent before the SDK loaded");
    expect(trips.count, trips.chain.join(" → ")).toBe(4);
    // DescribeServices is the early read (src/aws/early-read.ts), sent before the SDK loaded: the SDK
    // was given its answer and sent no DescribeServices of its own; every other call is the SDK's.
    const before = callsBefore((await handle.emulator.callLog()).slice(since), "UpdateService");
    expect(before.filter((e) => e.operation === "DescribeServices").map((e) => e.userAgent)).toEqual([expect.stringMatching(/^ecs-release\//)]);
    expect(before.filter((e) => !e.userAgent?.startsWith("aws-sdk-js/")).map((e) => e.operation)).toEqual(["DescribeServices"]);
  });

  it("eleven services (two DescribeServices, at most ten each): the first ten are the early read, the eleventh the SDK's", async () => {
    await rolledOut();
    const { services } = await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }));
    const names = Array.from({ length: 10 }, (_, i) => `web-${String(i + 1).padStart(2, "0")}`);
    for (const name of names) await createService(clients, { cluster: "prod", name, taskDefinition: services![0]!.taskDefinition!, desiredCount: 1, launchType: "FARGATE", networkConfiguration: SEED_NETWORK });
    const since = (await handle.emulator.callLog()).length;
    const run = await runCli(["rollback", "--cluster", "prod", "--service", ["web", ...names].join(","), "--no-wait", "--debug"], handle.env());
    expect(run.code, run.stderr).toBe(0);
    const reads = callsBefore((await handle.emulator.callLog()).slice(since), "UpdateService").filter((e) => e.operation === "DescribeServices");
    // In the order they were answered (the call log's), which need not be the order they were sent.
    const made = reads.map((e) => [e.userAgent?.split("/")[0], (e.request as { services?: string[] }).services?.length]);
    expect(made.sort()).toEqual([["aws-sdk-js", 1], ["ecs-release", 10]]);
    expect(run.stderr).toContain("early read: DescribeServices answered by the request sent before the SDK loaded");
  });

  for (const [what, env] of [
    ["a session token Node refuses in a header", { AWS_SESSION_TOKEN: "token\n" }],
    ["an ECS endpoint that is not a URL", { AWS_ENDPOINT_URL_ECS: "http://" }],
  ] as const) {
    it(`${what}: nothing reaches AWS early; the SDK's own request fails as it did before, in one line, nothing written`, async () => {
      await rolledOut();
      const since = (await handle.emulator.callLog()).length;
      const run = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--no-wait"], { ...handle.env(), ...env });
      expect(run.code, run.stderr).toBe(3);
      expect(run.stderr.trim().split("\n")).toEqual([expect.stringMatching(/\berror: DescribeServices prod\/web failed: TypeError: Invalid/)]);
      expect((await handle.emulator.callLog()).slice(since)).toEqual([]);
    });
  }

  for (const error of ["ThrottlingException", "reset"] as const) {
    it(`an early read that fails (${error}): the SDK sends its own DescribeServices, and the rollback goes on`, async () => {
      await rolledOut();
      await handle.emulator.addFault({ operation: "DescribeServices", error, count: 1 });
      const { since, stderr } = await rollback();
      await handle.emulator.clearFaults();
      const log = callsBefore((await handle.emulator.callLog()).slice(since), "UpdateService").filter((e) => e.operation === "DescribeServices");
      expect(log.map((e) => e.userAgent?.split("/")[0])).toEqual(["ecs-release", "aws-sdk-js"]);
      expect(stderr).toContain(`early read: the DescribeServices sent before the SDK loaded got ${error === "reset" ? "no answer" : "HTTP 400"}; the SDK sends its own`);
      expect((await roundTrips("UpdateService", since)).count).toBe(5);
    });
  }

  it("a new connection's handshakes (two round trips): only the first round trip waits for them, Secrets Manager's too", async () => {
    await rolledOut([{ name: "DB_PASSWORD", valueFrom: await pinnedSecret("ecs-release/web/prod") }]);
    const { since } = await rollback({}, 2 * LATENCY_MS);
    const before = callsBefore((await handle.emulator.callLog()).slice(since), "UpdateService");
    const waited = before.filter((e) => (e.handshakeWaitMs ?? 0) > 0).map((e) => e.operation);
    expect(before.map((e) => e.operation)).toEqual(expect.arrayContaining(["ListServiceDeployments", "ListTaskDefinitions", "DescribeImages", "ListSecretVersionIds"]));
    expect(waited).toEqual(["DescribeServices"]);
    const trips = await roundTrips("UpdateService", since);
    expect(trips.count, trips.chain.join(" → ")).toBe(4);
  });

  it("two services, each target pinned to a version of its own snapshot secret: still 4 (the two secrets' versions read together, with the images), only the first waiting for a handshake; a team's own secret is not listed", async () => {
    // And api also reads a secret of the team's own, pinned too: not checked (the rollback policy lists
    // versions of ecs-release's snapshots only, and every call here is evaluated against it).
    const [web, api, team] = await Promise.all([pinnedSecret("ecs-release/web/prod"), pinnedSecret("ecs-release/api/prod"), pinnedSecret("team/api-key")]);
    for (const [family, valueFrom] of [["web", web], ["api", api]] as const) {
      const secrets = [{ name: "DB_PASSWORD", valueFrom: valueFrom! }, ...(family === "api" ? [{ name: "API_KEY", valueFrom: team! }] : [])];
      await registerRevision(clients, { family, sha: sha("a"), outcome: "stable", pushImage: true, secrets });
      const bad = await registerRevision(clients, { family, sha: sha("b"), outcome: "stable", pushImage: true, secrets });
      if (family === "web") await rollOut(clients, "prod", "web", bad);
      else await createService(clients, { cluster: "prod", name: "api", taskDefinition: bad, desiredCount: 1, launchType: "FARGATE", networkConfiguration: SEED_NETWORK });
    }
    const since = (await handle.emulator.callLog()).length;
    // With a new connection's handshakes too: the two services' reads, images and secrets each have a connection opened ahead.
    await handle.emulator.setLatency(LATENCY_MS, 2 * LATENCY_MS);
    const run = await runCli(["rollback", "--cluster", "prod", "--service", "web,api", "--no-wait", "--poll-interval", "10ms"], handle.env());
    await handle.emulator.setLatency(0);
    expect(run.code, run.stderr).toBe(0);
    const trips = await roundTrips("UpdateService", since);
    expect(trips.before.filter((operation) => operation === "ListSecretVersionIds")).toHaveLength(2);
    expect(trips.count, trips.chain.join(" → ")).toBe(4);
    const waited = callsBefore((await handle.emulator.callLog()).slice(since), "UpdateService").filter((e) => (e.handshakeWaitMs ?? 0) > 0);
    expect(waited.map((e) => e.operation)).toEqual(["DescribeServices"]);
  });

  it("OIDC (a token minted by `circleci run oidc get`, exchanged with STS): 5", async () => {
    await rolledOut();
    await createCircleCiProvider(handle.emulator);
    const role = await createRole(handle.emulator, "ecs-release-rollback", fillPlaceholders(policyDocument(POLICIES.trust), trustValues()));
    const bin = join(dir, "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "circleci"), FAKE_CIRCLECI);
    chmodSync(join(bin, "circleci"), 0o755);
    const env = {
      AWS_ACCESS_KEY_ID: "",
      AWS_SECRET_ACCESS_KEY: "",
      PATH: `${bin}:${process.env["PATH"] ?? ""}`,
      ECS_RELEASE_OIDC: "circleci",
      AWS_ROLE_ARN: role,
      AWS_WEB_IDENTITY_TOKEN_FILE: join(dir, "token"),
      CIRCLE_OIDC_TOKEN_V2: circleciToken(Date.now()),
      FAKE_CIRCLECI_CLAIMS: JSON.stringify(circleciClaims(0)),
    };
    const { since, stderr } = await rollback(env);
    const trips = await roundTrips("UpdateService", since);
    expect(trips.chain[0]).toBe("AssumeRoleWithWebIdentity");
    // No early read with OIDC: its keys come from STS, through the SDK.
    expect((await handle.emulator.callLog()).slice(since).filter((e) => e.operation === "DescribeServices").map((e) => e.userAgent?.split("/")[0])).toEqual(["aws-sdk-js"]);
    expect(stderr).not.toContain("early read");
    expect(trips.before).toEqual(expect.arrayContaining(["ListServiceDeployments", "DescribeImages"]));
    expect(trips.count, trips.chain.join(" → ")).toBe(5);
  });

  it("a BLUE_GREEN deployment in bake time: 4 (its record read beside the revisions) → StopServiceDeployment", async () => {
    await rollOut(clients, "prod", "web", await registerRevision(clients, { family: "web", sha: sha("a"), outcome: "stable", pushImage: true }));
    await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 60, deploymentCircuitBreaker: { enable: true, rollback: true } } }));
    const next = await registerRevision(clients, { family: "web", sha: sha("b"), pushImage: true });
    await handle.emulator.addRule({ match: sha("b"), outcome: "complete", bakeSteps: 1_000 });
    const { service } = await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: next }));
    const arn = service?.currentServiceDeployment ?? "";
    const stage = async () => (await clients.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))).serviceDeployments?.[0]?.lifecycleStage;
    for (let poll = 0; poll < 20 && (await stage()) !== "BAKE_TIME"; poll++) await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }));
    expect(await stage()).toBe("BAKE_TIME");
    const trips = await roundTrips("StopServiceDeployment", (await rollback()).since);
    expect(trips.before).toEqual(expect.arrayContaining(["ListServiceDeployments", "DescribeServiceDeployments", "DescribeServiceRevisions", "DescribeImages"]));
    expect(trips.count, trips.chain.join(" → ")).toBe(4);
  });
});
