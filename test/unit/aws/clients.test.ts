import { describe, expect, it } from "vitest";
import type { ECSClient } from "@aws-sdk/client-ecs";
import { configuredEndpoint, createAwsClients, environmentCredentials, lazy, pollingClient, type LazyClient, type ServiceClient } from "../../../src/aws/clients.js";

// The CLI reads endpoints and keys from the environment main() is given, as the SDK would from
// process.env (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html,
// https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/setting-credentials-node.html).
describe("configuredEndpoint: AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL", () => {
  it.each<[Record<string, string>, "ECS" | "SSM" | "ECR" | "STS", string | undefined]>([
    [{}, "ECS", undefined],
    [{ AWS_ENDPOINT_URL: "http://all" }, "ECS", "http://all"],
    [{ AWS_ENDPOINT_URL: "http://all", AWS_ENDPOINT_URL_ECS: "http://ecs" }, "ECS", "http://ecs"],
    [{ AWS_ENDPOINT_URL: "http://all", AWS_ENDPOINT_URL_ECS: "http://ecs" }, "SSM", "http://all"],
    [{ AWS_ENDPOINT_URL_STS: "http://sts" }, "STS", "http://sts"],
    [{ AWS_ENDPOINT_URL: "", AWS_ENDPOINT_URL_ECR: "" }, "ECR", undefined],
    [{ AWS_ENDPOINT_URL: "http://all", AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" }, "ECS", undefined],
    [{ AWS_ENDPOINT_URL: "http://all", AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "false" }, "ECS", "http://all"],
  ])("%j, %s → %s", (env, service, expected) => {
    expect(configuredEndpoint(env, service)).toBe(expected);
  });
});

describe("environmentCredentials: the keys of the environment, as the default chain's first provider reads them", () => {
  it.each<[string, Record<string, string>, object | undefined]>([
    ["none", {}, undefined],
    ["a key without its secret", { AWS_ACCESS_KEY_ID: "AKIA1" }, undefined],
    ["key and secret", { AWS_ACCESS_KEY_ID: "AKIA1", AWS_SECRET_ACCESS_KEY: "s" }, { accessKeyId: "AKIA1", secretAccessKey: "s" }],
    ["with a session token", { AWS_ACCESS_KEY_ID: "ASIA1", AWS_SECRET_ACCESS_KEY: "s", AWS_SESSION_TOKEN: "t" }, { accessKeyId: "ASIA1", secretAccessKey: "s", sessionToken: "t" }],
    ["with an expiry", { AWS_ACCESS_KEY_ID: "ASIA1", AWS_SECRET_ACCESS_KEY: "s", AWS_CREDENTIAL_EXPIRATION: "2026-12-02T00:00:00Z" }, { accessKeyId: "ASIA1", secretAccessKey: "s", expiration: new Date("2026-12-02T00:00:00Z") }],
    ["AWS_PROFILE set: the profile wins, as in the SDK", { AWS_ACCESS_KEY_ID: "AKIA1", AWS_SECRET_ACCESS_KEY: "s", AWS_PROFILE: "deploy" }, undefined],
  ])("%s", (_name, env, expected) => {
    expect(environmentCredentials(env)).toEqual(expected);
  });
});

describe("createAwsClients with an environment", () => {
  it("sends each service to its configured endpoint and signs with the environment's keys", async () => {
    const clients = createAwsClients({ region: "eu-west-1", env: { AWS_ENDPOINT_URL: "http://127.0.0.1:1", AWS_ENDPOINT_URL_ECR: "http://127.0.0.1:2", AWS_ACCESS_KEY_ID: "AKIAENV", AWS_SECRET_ACCESS_KEY: "s" } });
    // ECS and ECR are SDK clients; the others LazyClients, which give theirs. AwsClients shows the commands only `send`.
    const sdk = async <T extends { send: unknown }>(client: ServiceClient<T>): Promise<T> => ("sdk" in client ? (client as LazyClient<T>).sdk() : (client as T));
    const endpoint = async (client: ServiceClient<{ send: unknown; config: { endpoint?: () => Promise<{ hostname?: string; port?: number }> } }>) => {
      const resolved = await (await sdk(client)).config.endpoint?.();
      return `${resolved?.hostname}:${resolved?.port}`;
    };
    expect(await endpoint(clients.ecs)).toBe("127.0.0.1:1");
    expect(await endpoint(clients.ssm)).toBe("127.0.0.1:1");
    expect(await endpoint(clients.ecr)).toBe("127.0.0.1:2");
    expect((await (await sdk<ECSClient>(clients.ecs)).config.credentials()).accessKeyId).toBe("AKIAENV");
  });
});

describe("lazy: a client built on its first call, once", () => {
  it("builds nothing until the first call, then once for every call; the calls go to the built client", async () => {
    const builds: string[] = [];
    const client = lazy(async () => {
      builds.push("built");
      return { send: async (command: string) => `sent ${command}` };
    });
    expect(builds).toEqual([]);
    expect(await Promise.all([client.send("a"), client.send("b")])).toEqual(["sent a", "sent b"]);
    expect(await client.sdk()).toBe(await client.sdk());
    expect(builds).toEqual(["built"]);
  });

  it("a client that cannot be built (a job build's left-out client) fails each call with that error", async () => {
    const client = lazy<{ send: (command: string) => Promise<string> }>(async () => {
      throw new Error("ecs-release: this build (for the orb's push job) leaves out @aws-sdk/client-kms; install the full build (install: cli: full)");
    });
    await expect(client.send("a")).rejects.toThrow(/leaves out @aws-sdk\/client-kms/);
    await expect(client.send("b")).rejects.toThrow(/leaves out @aws-sdk\/client-kms/);
  });

  it("the SDK's callback form: the client answers the callback; a failure to build goes to it too", async () => {
    type Callback = (error: unknown, data?: string) => void;
    const answering = lazy(async () => ({ send: (command: string, callback: Callback) => void callback(null, `sent ${command}`) }));
    const answered = await new Promise<unknown[]>((resolve) => expect(answering.send("a", (...got: unknown[]) => resolve(got))).toBeUndefined());
    expect(answered).toEqual([null, "sent a"]);
    const failing = lazy<{ send: (command: string, callback: Callback) => void }>(async () => {
      throw new Error("not built");
    });
    const failed = await new Promise<unknown>((resolve) => failing.send("a", (error) => resolve(error)));
    expect(failed).toEqual(new Error("not built"));
  });
});

describe("pollingClient", () => {
  it("polls on a client of its own (its own rate limiter), else on ecs", () => {
    const clients = createAwsClients({ region: "us-east-1", env: { AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "b" } });
    expect(pollingClient(clients).ecs).toBe(clients.ecsPoll);
    expect(clients.ecsPoll).not.toBe(clients.ecs);
    expect(pollingClient({ ecs: clients.ecs }).ecs).toBe(clients.ecs);
  });
});
