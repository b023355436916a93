/**
 * The early read (src/aws/early-read.ts): its signature is the SDK's own, bit for bit; the SDK's signed
 * request for the same read is recognised and nothing else is; and the SDK's ECS client, given the
 * early answer, deserialises it as its own (the real client, its requests counted by a local server).
 * The whole rollback with it, against the emulator: test/integration/rollback-round-trips.test.ts.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import { ECRClient } from "@aws-sdk/client-ecr";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { getEndpointFromInstructions } from "@smithy/core/endpoints";
import { HttpRequest } from "@smithy/core/protocols";
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "../../helpers/sigv4.js";
import { endpointWithoutSdk, readEarly, sameRequest, signedHeaders, useEarlyRead } from "../../../src/aws/early-read.js";

const KEYS = { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
/** A home directory without shared files: the SDK would read none, so the early read is made. */
const HOME = mkdtempSync(join(tmpdir(), "ecs-release-early-read-"));
afterAll(() => rmSync(HOME, { recursive: true, force: true }));
/** The keys, and a home directory whose shared files (none) set no endpoint. */
const ENV = { ...KEYS, HOME };
const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

/** A local ECS: answers DescribeServices with `body` (status `status`), counting the requests and keeping their user agents. */
async function fakeEcs(status: number, body: object): Promise<{ endpoint: string; agents: string[] }> {
  const agents: string[] = [];
  const server = createServer((req, res) => {
    agents.push(req.headers["user-agent"] ?? "");
    req.resume();
    req.on("end", () => {
      res.writeHead(status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": `r-${agents.length}` });
      res.end(JSON.stringify(body));
    });
  });
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, agents };
}


const SERVICE = { serviceName: "web", status: "ACTIVE", taskDefinition: "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:4", createdAt: 1_796_000_000.5 };
const READ = { cluster: "prod", services: ["web"] };

describe("the early read's signature", () => {
  for (const [name, sessionToken, host] of [
    ["long-term keys, AWS's endpoint", undefined, "ecs.eu-west-1.amazonaws.com"],
    ["a session token, a configured endpoint with a port", "FwoGZXIvYXdzEXAMPLE//token=", "127.0.0.1:5999"],
    ["a header value with runs of spaces inside (collapsed to one)", "  two  spaces   inside ", "[::1]:5999"],
  ] as const) {
    it(`is the SDK's own SignatureV4, header for header: ${name}`, async () => {
      const credentials = { accessKeyId: KEYS.AWS_ACCESS_KEY_ID, secretAccessKey: KEYS.AWS_SECRET_ACCESS_KEY, ...(sessionToken ? { sessionToken } : {}) };
      const now = new Date("2026-12-07T22:51:22.123Z");
      const body = JSON.stringify(READ);
      const target = "AmazonEC2ContainerServiceV20141113.DescribeServices";
      const mine = signedHeaders({ host, region: "eu-west-1", service: "ecs", target, body, credentials, now });
      const signer = new SignatureV4({ credentials, region: "eu-west-1", service: "ecs", sha256: Sha256 });
      const request = new HttpRequest({ method: "POST", protocol: "https:", hostname: host.replace(/:\d+$/, ""), path: "/", headers: { "content-type": "application/x-amz-json-1.1", host, "x-amz-target": target }, body });
      const signed = await signer.sign(request, { signingDate: now });
      expect(mine).toEqual(signed.headers);
    });
  }
});

describe("the SDK's request for the same read", () => {
  /** The SDK's signed request for `input`, as the early read's middleware sees it. */
  async function sdkRequest(input: object, config: { endpoint: string; sessionToken?: string; accessKeyId?: string }): Promise<unknown> {
    let seen: unknown;
    const client = new ECSClient({
      region: "eu-west-1",
      endpoint: config.endpoint,
      maxAttempts: 1,
      credentials: { accessKeyId: config.accessKeyId ?? KEYS.AWS_ACCESS_KEY_ID, secretAccessKey: KEYS.AWS_SECRET_ACCESS_KEY, ...(config.sessionToken ? { sessionToken: config.sessionToken } : {}) },
    });
    client.middlewareStack.add((() => async (args: { request: unknown }) => {
      seen = args.request;
      throw new Error("seen");
    }) as never, { step: "deserialize", priority: "low", name: "capture" });
    await client.send(new DescribeServicesCommand(input as never)).catch(() => undefined);
    return seen;
  }
  const early = (input: object, sessionToken?: string): Parameters<typeof sameRequest>[1] => ({
    url: "http://127.0.0.1:5999/",
    target: "AmazonEC2ContainerServiceV20141113.DescribeServices",
    input,
    accessKeyId: KEYS.AWS_ACCESS_KEY_ID,
    sessionToken,
  });

  it("is recognised whatever the order of its body's keys (the SDK writes services before cluster)", async () => {
    expect(sameRequest(await sdkRequest(READ, { endpoint: "http://127.0.0.1:5999" }), early(READ))).toBe(true);
    expect(sameRequest(await sdkRequest(READ, { endpoint: "http://127.0.0.1:5999", sessionToken: "t" }), early(READ, "t"))).toBe(true);
  });

  it("is not, with another body, endpoint, key or session token", async () => {
    expect(sameRequest(await sdkRequest({ cluster: "prod", services: ["web", "api"] }, { endpoint: "http://127.0.0.1:5999" }), early(READ))).toBe(false);
    expect(sameRequest(await sdkRequest({ ...READ, include: ["TAGS"] }, { endpoint: "http://127.0.0.1:5999" }), early(READ))).toBe(false);
    expect(sameRequest(await sdkRequest(READ, { endpoint: "http://127.0.0.1:6000" }), early(READ))).toBe(false);
    expect(sameRequest(await sdkRequest(READ, { endpoint: "http://127.0.0.1:5999", accessKeyId: "AKIDOTHER" }), early(READ))).toBe(false);
    expect(sameRequest(await sdkRequest(READ, { endpoint: "http://127.0.0.1:5999", sessionToken: "t" }), early(READ))).toBe(false);
    expect(sameRequest(await sdkRequest(READ, { endpoint: "http://127.0.0.1:5999" }), early(READ, "t"))).toBe(false);
  });
});

describe("the SDK's ECS client given the early answer", () => {
  const client = (endpoint: string) => new ECSClient({ region: "eu-west-1", endpoint, maxAttempts: 1, credentials: { accessKeyId: KEYS.AWS_ACCESS_KEY_ID, secretAccessKey: KEYS.AWS_SECRET_ACCESS_KEY } });
  const env = (endpoint: string) => ({ ...ENV, AWS_ENDPOINT_URL: endpoint });

  it("deserialises it as its own answer and sends nothing; its next request goes out", async () => {
    const ecs = await fakeEcs(200, { services: [SERVICE], failures: [] });
    const early = readEarly(env(ecs.endpoint), "eu-west-1", "DescribeServices", READ, { userAgent: "ecs-release/test", ahead: {} })!;
    const sdk = client(ecs.endpoint);
    useEarlyRead(sdk, early);
    const output = await sdk.send(new DescribeServicesCommand(READ));
    expect(output.services?.[0]?.createdAt).toEqual(new Date(1_796_000_000_500));
    expect(output.$metadata).toMatchObject({ httpStatusCode: 200, requestId: "r-1" });
    expect(ecs.agents).toEqual(["ecs-release/test"]);
    await sdk.send(new DescribeServicesCommand(READ));
    expect(ecs.agents).toHaveLength(2);
    expect(ecs.agents[1]).toMatch(/^aws-sdk-js\//);
  });

  it("sends its own request when the early answer is not 200, and reports that one", async () => {
    const ecs = await fakeEcs(400, { __type: "ThrottlingException", message: "Rate exceeded" });
    const early = readEarly(env(ecs.endpoint), "eu-west-1", "DescribeServices", READ, { userAgent: "ecs-release/test", ahead: {} })!;
    const sdk = client(ecs.endpoint);
    useEarlyRead(sdk, early);
    await expect(sdk.send(new DescribeServicesCommand(READ))).rejects.toMatchObject({ name: "ThrottlingException", $metadata: { requestId: "r-2" } });
    expect(ecs.agents).toHaveLength(2);
  });

  it("sends its own request when its first request is another read", async () => {
    const ecs = await fakeEcs(200, { services: [SERVICE], failures: [] });
    const early = readEarly(env(ecs.endpoint), "eu-west-1", "DescribeServices", READ, { userAgent: "ecs-release/test", ahead: {} })!;
    await early.answer;
    const sdk = client(ecs.endpoint);
    const debug: string[] = [];
    useEarlyRead(sdk, early, (line) => debug.push(line));
    await sdk.send(new DescribeServicesCommand({ cluster: "staging", services: ["web"] }));
    expect(debug).toEqual(["early read: the client's first request is not the DescribeServices sent before the SDK loaded; it is sent"]);
    // And the read sent early, asked next, is read again: only a client's first request can be answered early.
    await sdk.send(new DescribeServicesCommand(READ));
    expect(ecs.agents).toEqual(["ecs-release/test", expect.stringMatching(/^aws-sdk-js\//), expect.stringMatching(/^aws-sdk-js\//)]);
  });
});

describe("an early read that cannot be made", () => {
  it("a header Node refuses (a session token ending in a newline): no answer, nothing thrown; the SDK's request reports it", async () => {
    const early = readEarly({ ...ENV, AWS_SESSION_TOKEN: "token\n", AWS_ENDPOINT_URL: "http://127.0.0.1:9" }, "eu-west-1", "DescribeServices", READ, { userAgent: "t", ahead: {} });
    expect(early).toBeDefined();
    await expect(early!.answer).resolves.toBeUndefined();
  });

  it("an endpoint setting that is not a URL: no early read for ECS's; no connections for another client's", () => {
    expect(readEarly({ ...ENV, AWS_ENDPOINT_URL_ECS: "http://" }, "eu-west-1", "DescribeServices", READ, { userAgent: "t", ahead: {} })).toBeUndefined();
    const early = readEarly({ ...ENV, AWS_ENDPOINT_URL_ECS: "http://127.0.0.1:9", AWS_ENDPOINT_URL_SECRETS_MANAGER: "::bad" }, "eu-west-1", "DescribeServices", READ, { userAgent: "t", ahead: { ECS: 1, SECRETS_MANAGER: 1 } });
    expect(Object.keys(early?.agents ?? {})).toEqual(["ECS"]);
    early?.answer.catch(() => undefined);
  });

  it("a connection not established within the clients' connection timeout (5 s) is given up: no answer, and the SDK sends its own", async () => {
    // A listener that never accepts, its backlog filled: the next connection's SYN goes unanswered.
    const python = spawn("python3", ["-c", "import socket,time\ns=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(0); print(s.getsockname()[1], flush=True); time.sleep(30)"], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const port = Number(String(await once(python.stdout, "data")).trim());
      const filling = [connect(port, "127.0.0.1"), connect(port, "127.0.0.1")];
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = Date.now();
      const early = readEarly({ ...ENV, AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` }, "eu-west-1", "DescribeServices", READ, { userAgent: "t", ahead: {} });
      await expect(early!.answer).resolves.toBeUndefined();
      expect(Date.now() - started).toBeGreaterThanOrEqual(4_900);
      expect(Date.now() - started).toBeLessThan(15_000);
      for (const socket of filling) socket.destroy();
    } finally {
      python.kill();
    }
  }, 20_000);
});

describe("when there is an early read", () => {
  const at = "http://127.0.0.1:9";
  for (const [why, env] of [
    ["no keys in the environment", { HOME, AWS_ENDPOINT_URL: at }],
    ["no home directory (where the SDK reads its shared files is not known here)", { ...KEYS, AWS_ENDPOINT_URL: at }],
    ["a profile (the SDK's chain skips the environment's keys)", { ...ENV, AWS_ENDPOINT_URL: at, AWS_PROFILE: "dev" }],
    ["CircleCI OIDC", { ...ENV, AWS_ENDPOINT_URL: at, ECS_RELEASE_OIDC: "circleci", AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/r", ECS_RELEASE_OIDC_AUDIENCE: "org" }],
    ["a chained deploy role", { ...ENV, AWS_ENDPOINT_URL: at, ECS_RELEASE_DEPLOY_ROLE_ARN: "arn:aws:iam::123456789012:role/d", ECS_RELEASE_DEPLOY_EXTERNAL_ID: "abcdef0123456789" }],
    ["FIPS endpoints", { ...ENV, AWS_USE_FIPS_ENDPOINT: "true" }],
  ] as const) {
    it(`there is none with ${why}`, () => {
      expect(readEarly(env, "eu-west-1", "DescribeServices", READ, { userAgent: "t", ahead: {} })).toBeUndefined();
    });
  }

  const made = (env: Record<string, string>, configText?: string): boolean => {
    const early = readEarly(env, "eu-west-1", "DescribeServices", READ, { userAgent: "t", ahead: {}, configText });
    early?.answer.catch(() => undefined);
    return early !== undefined;
  };
  for (const setting of ["endpoint_url = https://vpce-0a1b.ecs.eu-west-1.vpce.amazonaws.com", "use_fips_endpoint = true", "use_dualstack_endpoint = true", "services = local"]) {
    it(`there is none when the shared files' default profile says ${setting.split(" ")[0]} (the SDK would go elsewhere)`, () => {
      const env = { ...ENV, AWS_ENDPOINT_URL_ECS: "http://127.0.0.1:9" }; // never AWS itself from a test
      expect(made(env, `[default]\nregion = eu-west-1\n${setting}\n`)).toBe(false);
      expect(made(env, `[profile default]\n  ${setting}\n`)).toBe(false);
      expect(made(env, `[profile "default"]\n${setting}\n`)).toBe(false);
      const credentials = join(HOME, "credentials");
      writeFileSync(credentials, `[default]\naws_access_key_id = x\n${setting}\n`);
      expect(made({ ...env, AWS_SHARED_CREDENTIALS_FILE: credentials })).toBe(false);
      // Another profile's settings are not the default profile's.
      expect(made(env, `[profile other]\n${setting}\n`)).toBe(true);
    });
  }

  it("no connections for a client whose endpoint setting is not an http(s) URL", () => {
    const early = readEarly({ ...ENV, AWS_ENDPOINT_URL_ECS: "http://127.0.0.1:9", AWS_ENDPOINT_URL_SECRETS_MANAGER: "localhost:4566", AWS_ENDPOINT_URL_ECR: "file:///x" }, "eu-west-1", "DescribeServices", READ, { userAgent: "t", ahead: { ECS: 1, ECR: 1, SECRETS_MANAGER: 1 } });
    early?.answer.catch(() => undefined);
    expect(Object.keys(early?.agents ?? {})).toEqual(["ECS"]);
  });

  it("AWS's endpoints it knows without the SDK are the SDK's own; outside the aws partition it knows none", async () => {
    for (const region of ["us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1", "ca-central-1", "me-south-1", "af-south-1", "il-central-1", "mx-central-1"]) {
      for (const [service, Client] of [["ECS", ECSClient], ["ECR", ECRClient], ["SECRETS_MANAGER", SecretsManagerClient]] as const) {
        const { config } = new Client({ region });
        const sdk = await getEndpointFromInstructions({}, { getEndpointParameterInstructions: () => ({ UseFIPS: { type: "builtInParams", name: "useFipsEndpoint" }, Endpoint: { type: "builtInParams", name: "endpoint" }, Region: { type: "builtInParams", name: "region" }, UseDualStack: { type: "builtInParams", name: "useDualstackEndpoint" } }) }, { ...config });
        expect(`${endpointWithoutSdk({}, region, service)}/`, `${service} in ${region}`).toBe(sdk.url.href);
      }
    }
    for (const region of ["cn-north-1", "us-gov-west-1", "us-iso-east-1", "eusc-de-east-1"]) expect(endpointWithoutSdk({}, region, "ECS")).toBeUndefined();
  });
});
