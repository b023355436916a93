/**
 * The emulator's expiring credentials (shared/spec/emulator.md, "Fidelity"), through the real SDK:
 * the web identity provider the CLI uses (fromWebToken) and an ECS client signing with what it got.
 * STS's behaviour: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
 */
import { beforeEach, describe, expect, it } from "vitest";
import { ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import { fromWebToken } from "@aws-sdk/credential-provider-web-identity";
import { awsClients, ACCOUNT_ID, REGION, useEmulator } from "../helpers/emulator.js";
import { circleciToken } from "../helpers/jwt.js";
import { setUpCircleCiIam } from "../helpers/oidc-roles.js";

const handle = useEmulator();
const ROLE = `arn:aws:iam::${ACCOUNT_ID}:role/ecs-release-prod-oidc`;

beforeEach(async () => {
  await handle.emulator.reset();
  await setUpCircleCiIam(handle.emulator);
});

function assume(token: string, durationSeconds?: number) {
  return fromWebToken({
    roleArn: ROLE,
    roleSessionName: "test",
    webIdentityToken: token,
    ...(durationSeconds === undefined ? {} : { durationSeconds }),
    clientConfig: { region: REGION, endpoint: handle.emulator.url },
  })();
}

function ecsWith(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): ECSClient {
  return new ECSClient({ region: REGION, endpoint: handle.emulator.url, credentials, maxAttempts: 1 });
}

describe("emulator: expiring credentials (STS AssumeRoleWithWebIdentity)", () => {
  it("refuses a web identity token whose exp has passed with ExpiredTokenException, in STS's wording", async () => {
    const now = await handle.emulator.clock();
    const error = await assume(circleciToken(now - 3601_000)).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.name).toBe("ExpiredTokenException");
    expect(error?.message).toMatch(/^Token expired: current date\/time \d+ must be before the expiration date\/time\d+$/);
    const log = await handle.emulator.callLog();
    expect(log.filter((e) => e.service === "sts").map((e) => [e.service, e.operation, e.status])).toEqual([["sts", "AssumeRoleWithWebIdentity", 400]]);
  });

  it("refuses a token that expires while time passes on the emulator's clock (POST /_sim/clock)", async () => {
    const token = circleciToken(await handle.emulator.clock());
    await expect(assume(token)).resolves.toHaveProperty("accessKeyId");
    await handle.emulator.advanceClock(3600);
    await expect(assume(token)).rejects.toMatchObject({ name: "ExpiredTokenException" });
  });

  it("returns credentials that expire at their Expiration (DurationSeconds, default 3600); calls with them then fail as AWS's do", async () => {
    const issued = await handle.emulator.clock();
    const credentials = await assume(circleciToken(issued));
    expect(credentials.expiration!.getTime()).toBeGreaterThanOrEqual(issued + 3600_000);
    expect(credentials.expiration!.getTime()).toBeLessThan(issued + 3600_000 + 60_000);
    const ecs = ecsWith(credentials);
    await expect(ecs.send(new ListClustersCommand({}))).resolves.toHaveProperty("clusterArns");

    // (real seconds pass too while the test runs: stay well clear of the edge)
    await handle.emulator.advanceClock(3500);
    await expect(ecs.send(new ListClustersCommand({}))).resolves.toHaveProperty("clusterArns");
    await handle.emulator.advanceClock(100);
    const error = await ecs.send(new ListClustersCommand({})).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.name).toBe("ExpiredTokenException");
    expect(error?.message).toBe("The security token included in the request is expired");
    // The static keys every other test signs with never expire.
    await expect(awsClients(handle.emulator).ecs.send(new ListClustersCommand({}))).resolves.toHaveProperty("clusterArns");
  });

  it("honours DurationSeconds", async () => {
    const credentials = await assume(circleciToken(await handle.emulator.clock()), 900);
    const ecs = ecsWith(credentials);
    await handle.emulator.advanceClock(901);
    await expect(ecs.send(new ListClustersCommand({}))).rejects.toMatchObject({ name: "ExpiredTokenException" });
  });

  it("reset returns to the host clock and forgets the credentials; the clock control validates its input", async () => {
    await handle.emulator.advanceClock(7200);
    expect(await handle.emulator.clock()).toBeGreaterThan(Date.now() + 7000_000);
    await handle.emulator.reset();
    expect(await handle.emulator.clock()).toBeLessThan(Date.now() + 60_000);
    const response = await fetch(`${handle.emulator.url}/_sim/clock`, { method: "POST", body: JSON.stringify({ advanceSeconds: -1 }) });
    expect(response.status).toBe(400);
  });
});
