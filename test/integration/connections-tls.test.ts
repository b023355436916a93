/**
 * Connections opened ahead over TLS, through the SDK, as against AWS: a process (its own, so that
 * NODE_EXTRA_CA_CERTS makes Node trust the local server's certificate, as Node trusts AWS's) builds
 * the CLI's clients (createAwsClients) with an HTTPS ECS endpoint, calls openAhead for three
 * connections, waits half a second, then sends three DescribeServices at once. The server sees three
 * TLS connections, all accepted before the wait ended, and each request on one of them: the SDK's
 * requests went out on the connections opened ahead and opened none. And rollback's early read over
 * TLS, its signature checked by the server (below).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, expect, it } from "vitest";
import { signatureValid } from "../helpers/sigv4.js";
import { LOCALHOST_CERT, LOCALHOST_KEY } from "../helpers/tls-localhost.js";

const dir = mkdtempSync(join(tmpdir(), "ecs-release-tls-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs `code` (an ES module, TypeScript through tsx) in a process of its own that trusts the local
 * certificate, with ENDPOINT the HTTPS address of `server` and `env`; its exit code and output.
 */
async function runModule(code: string, server: Server, env: Record<string, string>): Promise<{ code: number; output: string }> {
  writeFileSync(join(dir, "ca.pem"), LOCALHOST_CERT);
  // Code given with -e resolves its packages from the working directory (the repository's node_modules).
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    cwd: process.cwd(),
    env: { PATH: process.env["PATH"] ?? "", HOME: dir, NODE_EXTRA_CA_CERTS: join(dir, "ca.pem"), ENDPOINT: `https://localhost:${(server.address() as AddressInfo).port}`, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const [exit] = (await once(child, "close")) as [number];
  return { code: exit, output };
}

const CLIENT = `
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { createAwsClients } from ${JSON.stringify(resolve("src/aws/clients.ts"))};
import { openAhead } from ${JSON.stringify(resolve("src/aws/connections.ts"))};
const aws = createAwsClients({ region: "us-east-1", maxAttempts: 1, env: { AWS_ENDPOINT_URL_ECS: process.env.ENDPOINT, AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "b" } });
openAhead(aws, { ECS: 3 });
await new Promise((resolve) => setTimeout(resolve, 500));
const answers = await Promise.all([1, 2, 3].map(() => aws.ecs.send(new DescribeServicesCommand({ cluster: "c", services: ["s"] }))));
console.log(JSON.stringify(answers.map((a) => a.failures?.[0]?.reason)));
`;

it("the SDK's requests over TLS go out on the connections opened ahead, and open none", async () => {
  const accepted = new Map<Socket, number>();
  const served: Array<{ socket: Socket; at: number }> = [];
  const server = createServer({ cert: LOCALHOST_CERT, key: LOCALHOST_KEY }, (req, res) => {
    served.push({ socket: req.socket, at: Date.now() });
    req.resume();
    req.on("end", () => {
      res.setHeader("content-type", "application/x-amz-json-1.1");
      res.end(JSON.stringify({ services: [], failures: [{ arn: "s", reason: "MISSING" }] }));
    });
  });
  server.on("secureConnection", (socket: Socket) => accepted.set(socket, Date.now()));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  try {
    const { code, output } = await runModule(CLIENT, server, {});
    expect(code, output).toBe(0);
    expect(output.trim()).toBe('["MISSING","MISSING","MISSING"]');
    expect(accepted.size).toBe(3);
    const first = Math.min(...served.map((request) => request.at));
    expect(served).toHaveLength(3);
    expect(served.every((request) => first - (accepted.get(request.socket) ?? first) >= 300), "each request on a connection accepted before the wait ended").toBe(true);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

/**
 * The early read (src/aws/early-read.ts) over TLS, as against AWS: sent before the client exists, then
 * given to the SDK's ECS client built as rollback builds it. The server checks each request's
 * Signature Version 4 as AWS does (it signs the request it received, its signed headers only, with
 * the key the secret belongs to, and compares), which the emulator does not.
 */
const EARLY = `
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { createAwsClients } from ${JSON.stringify(resolve("src/aws/clients.ts"))};
import { readEarly, useEarlyRead } from ${JSON.stringify(resolve("src/aws/early-read.ts"))};
const env = { AWS_ENDPOINT_URL_ECS: process.env.ENDPOINT, AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: process.env.SECRET, AWS_SESSION_TOKEN: "a/session+token=", HOME: process.env.HOME };
const input = { cluster: "prod", services: ["web"] };
const early = readEarly(env, "eu-west-1", "DescribeServices", input, { userAgent: "ecs-release/test", ahead: { ECS: 2 } });
const aws = createAwsClients({ region: "eu-west-1", maxAttempts: 1, env });
Object.assign(aws.agents, early.agents);
useEarlyRead(aws.ecs, early);
const answer = await aws.ecs.send(new DescribeServicesCommand(input));
console.log(JSON.stringify(answer.services.map((s) => [s.serviceName, s.createdAt.toISOString()])));
`;

it("the early read over TLS: signed as AWS checks it, and its answer is the SDK's, which sends nothing", async () => {
  const secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  const served: Array<{ agent: string; valid: boolean }> = [];
  const server = createServer({ cert: LOCALHOST_CERT, key: LOCALHOST_KEY }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      void signatureValid(req.method ?? "", req.headers, body, secret).then((valid) => {
        served.push({ agent: String(req.headers["user-agent"]), valid });
        res.setHeader("content-type", "application/x-amz-json-1.1");
        res.end(JSON.stringify({ services: [{ serviceName: "web", createdAt: 1_796_000_000.25 }], failures: [] }));
      });
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  try {
    const { code, output } = await runModule(EARLY, server, { SECRET: secret });
    expect(code, output).toBe(0);
    expect(output.trim()).toBe('[["web","2026-11-30T00:53:20.250Z"]]');
    expect(served).toEqual([{ agent: "ecs-release/test", valid: true }]);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
