/**
 * The default `auth` step end to end: with no AWS keys in the job, only CircleCI's OIDC token and
 * AWS_ROLE_ARN from the context, the embedded CLI gets credentials by AssumeRoleWithWebIdentity
 * (answered by the emulator's STS) and releases.
 */
import { readFile } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { awsClients, useEmulator } from "../helpers/emulator.js";
import { expandJob, loadOrb, runJob, type Orb } from "../helpers/orb-harness.js";
import { describeService, sha } from "../helpers/revisions.js";
import { putImage, seedPlatform } from "../helpers/seed.js";
import { ORB_FILE } from "./orb-files.js";
import { circleciToken } from "../helpers/jwt.js";
import { createCircleCiProvider, createRole, trustValues } from "../helpers/oidc-roles.js";
import { fillPlaceholders, policyDocument, POLICIES } from "../../src/iam/policies.js";

const handle = useEmulator();
let orb: Orb;

beforeAll(async () => {
  orb = await loadOrb(ORB_FILE);
});

/** A JWT-shaped token (the emulator's STS checks its exp, not its signature): CircleCI's expire an hour after issue. */
const TOKEN = circleciToken(Date.now());

describe("OIDC credentials", () => {
  it("release with the default auth step: no keys, only the OIDC token and the context's role", async () => {
    const clients = awsClients(handle.emulator);
    await seedPlatform(clients);
    // The role as docs/iam.md sets it up: the emulator's STS evaluates its trust policy.
    await createCircleCiProvider(handle.emulator);
    await createRole(handle.emulator, "deploy", fillPlaceholders(policyDocument(POLICIES.trust), trustValues()));
    const commit = sha("e");
    await putImage(clients, "platform", commit);
    const job = expandJob(orb, "release", { cluster: "prod", service: "web", ssm_path: "/platform/prod", repository: "platform", poll_interval: "10ms", timeout: "1m" } as never);
    const { AWS_ACCESS_KEY_ID: _key, AWS_SECRET_ACCESS_KEY: _secret, ...withoutKeys } = handle.env();
    const run = await runJob(job, {
      env: { ...withoutKeys, CIRCLE_OIDC_TOKEN_V2: TOKEN, AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/deploy" },
      circle: { CIRCLE_SHA1: commit },
    });
    expect(run.code, run.output).toBe(0);
    expect(run.steps[1]?.output).toContain("AWS credentials: role arn:aws:iam::123456789012:role/deploy, session circleci-shop-1234");
    expect((await describeService(clients, "prod", "web")).taskDefinition).toMatch(/web:2$/);
    const calls = await handle.emulator.callLog();
    expect(calls.some((call) => call.operation === "AssumeRoleWithWebIdentity")).toBe(true);
  });

  it("fails with one clear line when the job has no OIDC token (a forked pull request)", async () => {
    const job = expandJob(orb, "rollback", { cluster: "prod", service: "web" } as never);
    const run = await runJob(job, { env: { AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/deploy" } });
    expect(run.code).toBe(2);
    const output = run.steps.at(-1)?.output ?? "";
    expect(output).toMatch(/^No CircleCI OIDC token \(CIRCLE_OIDC_TOKEN_V2\) in this job: a forked pull request gets none/);
    expect(output.trim().split("\n")).toHaveLength(1);
    // Nothing was exported for later steps.
    expect(await readFile(run.bashEnv, "utf8")).not.toContain("AWS_ROLE_ARN");
  });
});
