/**
 * Credentials that last (issue 15 item 2): a release whose rollout wait spans several CircleCI OIDC
 * token lifetimes in simulated time. CircleCI's tokens expire one hour after issue
 * (https://circleci.com/docs/openid-connect-tokens/); the emulator's STS refuses expired tokens and its
 * credentials expire (test/emulator/sts.ts). A fake `circleci` on PATH mints tokens the way
 * `circleci run oidc get --claims '{"aud":…}'` does (https://circleci.com/docs/oidc-tokens-with-custom-claims/),
 * issued at the emulator's simulated now.
 *
 * Why in-process (main() from src, not the bundle): the AWS SDK decides when to renew credentials from
 * Date.now(), which a child process cannot have simulated. Here only `Date` is faked (vi.useFakeTimers
 * toFake: ["Date"]) and moves with the CLI's injected clock, so the emulator (in this process), the SDK
 * and the CLI share one simulated clock; the SDK, the HTTP calls and moto are all real.
 */
import { CreateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import type { Clock } from "../../src/core/clock.js";
import { ACCOUNT_ID, awsClients, REGION, useEmulator } from "../helpers/emulator.js";
import { CIRCLECI_FIXTURE, circleciClaims, circleciToken } from "../helpers/jwt.js";
import { createCircleCiProvider, createRole, EXTERNAL_ID, trustValues } from "../helpers/oidc-roles.js";
import { fillPlaceholders, policyDocument, POLICIES } from "../../src/iam/policies.js";
import { SEED_SHAS, seedPlatform } from "../helpers/seed.js";

// A rollout of 20 polls with credential renewals: allow for a loaded machine.
vi.setConfig({ testTimeout: 180_000 });

const handle = useEmulator();
const dir = mkdtempSync(join(tmpdir(), "ecs-release-oidc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bin = join(dir, "bin");
const mintLog = join(dir, "minted.log");
const tokenFile = join(dir, "web-identity-token");
const ORG = CIRCLECI_FIXTURE.orgId;
const ROLE = `arn:aws:iam::${ACCOUNT_ID}:role/ecs-release-deploy`;
const SHA = SEED_SHAS[1]!;
const STEPS = 20; // rollout steps; one 10-minute poll each: 200 simulated minutes, > 3 token lifetimes

/** The fake CircleCI CLI: `circleci run oidc get --claims '{"aud":"…"}'` prints a JWT issued at the emulator's now. */
const FAKE_CIRCLECI = `#!/usr/bin/env node
const { appendFileSync } = require("node:fs");
const args = process.argv.slice(2);
if (args.slice(0, 4).join(" ") !== "run oidc get --claims") { console.error("fake circleci: unexpected " + args.join(" ")); process.exit(2); }
const aud = JSON.parse(args[4]).aud;
fetch(process.env.AWS_ENDPOINT_URL + "/_sim/clock").then((r) => r.json()).then(({ now }) => {
  const part = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const iat = Math.floor(now / 1000);
  appendFileSync(process.env.FAKE_CIRCLECI_LOG, iat + " " + aud + "\\n");
  // The job's claims (V2: sub with vcs-origin and vcs-ref), with a new aud, iat and exp.
  const claims = { ...JSON.parse(process.env.FAKE_CIRCLECI_CLAIMS), aud, iat, exp: iat + 3600 };
  process.stdout.write(part({ alg: "RS256" }) + "." + part(claims) + ".sig");
});
`;

beforeEach(async () => {
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, "circleci"), FAKE_CIRCLECI);
  chmodSync(join(bin, "circleci"), 0o755);
  writeFileSync(mintLog, "");
  await handle.emulator.reset();
  // The role trusts CircleCI's tokens as npm run iam -- trust prints it; the emulator's STS checks it.
  await createCircleCiProvider(handle.emulator);
  await createRole(handle.emulator, "ecs-release-deploy", fillPlaceholders(policyDocument(POLICIES.trust), trustValues()));
  const clients = awsClients(handle.emulator);
  await seedPlatform(clients);
  // An environment released before: its SecureStrings secret exists, so every call of the release
  // answers 200 (the first release of an environment finds none, PutSecretValue's 404, and creates it).
  await clients.secretsManager.send(new CreateSecretCommand({ Name: "ecs-release/platform/prod", SecretString: "{}" }));
  await handle.emulator.addRule({ match: SHA, outcome: "complete", steps: STEPS });
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

/** The CLI's clock: sleeping moves the simulated time (Date, hence the SDK and the emulator) forward. */
const simulatedClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms) => {
    vi.setSystemTime(Date.now() + ms);
    await new Promise((resolve) => setImmediate(resolve));
  },
};

/** Runs `release` in-process with the environment a CircleCI job with the orb's OIDC step has. */
async function release(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const full: Record<string, string> = {
    PATH: `${bin}:${process.env["PATH"] ?? ""}`,
    HOME: dir,
    NO_COLOR: "1",
    AWS_ENDPOINT_URL: handle.emulator.url,
    AWS_REGION: REGION,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: join(dir, "no-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-credentials"),
    AWS_ROLE_ARN: ROLE,
    AWS_ROLE_SESSION_NAME: "circleci-platform-7",
    AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
    CIRCLE_OIDC_TOKEN_V2: circleciToken(Date.now()),
    FAKE_CIRCLECI_LOG: mintLog,
    FAKE_CIRCLECI_CLAIMS: JSON.stringify(circleciClaims(0)),
    ...env,
  };
  // The SDK reads its configuration (endpoint, web identity variables) from process.env.
  for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"]) vi.stubEnv(name, undefined);
  for (const [name, value] of Object.entries(full)) vi.stubEnv(name, value);
  writeFileSync(tokenFile, full["CIRCLE_OIDC_TOKEN_V2"]!); // what configure_aws_oidc writes, once
  let stderr = "";
  const args = ["release", "--cluster", "prod", "--service", "web", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", SHA, "--poll-interval", "10m", "--timeout", "6h"];
  const code = await main(args, full, { stdout: () => {}, stderr: (text) => (stderr += text), stderrIsTty: false }, new AbortController().signal, simulatedClock);
  return { code, stderr };
}

describe("OIDC credentials for jobs of any length", () => {
  it("with ECS_RELEASE_OIDC=circleci, a rollout wait over three token lifetimes succeeds: every renewal mints a fresh token", async () => {
    const start = Date.now();
    const { code, stderr } = await release({ ECS_RELEASE_OIDC: "circleci" });
    expect(code, stderr).toBe(0);
    expect(Date.now() - start).toBeGreaterThan(3 * 3600_000);

    const minted = readFileSync(mintLog, "utf8").trim().split("\n");
    expect(minted.length).toBeGreaterThanOrEqual(4); // the first + one renewal per (hour - 5 minutes)
    expect(minted.every((line) => line.endsWith(` ${ORG}`))).toBe(true); // aud = the job token's aud
    const sts = (await handle.emulator.callLog()).filter((entry) => entry.operation === "AssumeRoleWithWebIdentity");
    expect(sts.length).toBe(minted.length);
    expect(sts.every((entry) => entry.status === 200)).toBe(true);
    const expired = (await handle.emulator.callLog()).filter((entry) => entry.status !== 200);
    expect(expired).toEqual([]);
    // the token file follows, for other tools in the job; the token is never printed
    const fileClaims = JSON.parse(Buffer.from(readFileSync(tokenFile, "utf8").split(".")[1]!, "base64url").toString()) as { exp: number };
    expect(fileClaims.exp * 1000).toBeGreaterThan(Date.now());
    expect(stderr).not.toContain(readFileSync(tokenFile, "utf8"));
  });

  it("without it, the SDK's token file provider re-reads the one-hour token and the same wait fails on credentials (the defect)", async () => {
    const { code, stderr } = await release({});
    expect(code, stderr).not.toBe(0);
    const refused = (await handle.emulator.callLog()).filter((entry) => entry.operation === "AssumeRoleWithWebIdentity" && entry.status === 400);
    expect(refused.length).toBeGreaterThan(0);
    expect(stderr).toMatch(/Token expired|security token included in the request is expired/);
  });

  it("chained to a deploy role (the recommended set-up): both hops are renewed over three token lifetimes", async () => {
    const deploy = await createRole(handle.emulator, "ecs-release-deploy-chained", fillPlaceholders(policyDocument(POLICIES["deploy-trust"]), trustValues({ oidcRoleArn: ROLE })));
    const start = Date.now();
    const seeded = (await handle.emulator.callLog()).length;
    const { code, stderr } = await release({ ECS_RELEASE_OIDC: "circleci", ECS_RELEASE_DEPLOY_ROLE_ARN: deploy, ECS_RELEASE_DEPLOY_EXTERNAL_ID: EXTERNAL_ID });
    expect(code, stderr).toBe(0);
    expect(Date.now() - start).toBeGreaterThan(3 * 3600_000);
    const log = (await handle.emulator.callLog()).slice(seeded);
    const hops = log.filter((entry) => entry.operation === "AssumeRole");
    expect(hops.length).toBeGreaterThanOrEqual(4); // a chained session lasts at most an hour
    expect(hops.every((entry) => entry.status === 200)).toBe(true);
    expect(log.filter((entry) => entry.operation === "AssumeRoleWithWebIdentity").length).toBeGreaterThanOrEqual(4);
    expect(log.filter((entry) => entry.status !== 200)).toEqual([]);
    const deploySessions = new Set((await handle.emulator.sessions()).filter((s) => s.roleArn === deploy).map((s) => s.accessKeyId));
    expect(log.filter((entry) => entry.service === "ecs").every((entry) => deploySessions.has(entry.accessKeyId ?? ""))).toBe(true);
  });

  it("a missing role is exit 2 naming AWS_ROLE_ARN; a missing circleci CLI names the command that failed", async () => {
    const noCli = await release({ ECS_RELEASE_OIDC: "circleci", PATH: "/nonexistent" });
    expect(noCli.code).not.toBe(0);
    expect(noCli.stderr).toContain("circleci run oidc get");
    const noRole = await release({ ECS_RELEASE_OIDC: "circleci", AWS_ROLE_ARN: "" });
    expect(noRole.code).toBe(2);
    expect(noRole.stderr).toContain("needs AWS_ROLE_ARN");
  });
});
