/**
 * Connections opened ahead (src/aws/connections.ts), against local servers that count the connections
 * they accept: a request made after `openAhead` goes out on a connection opened ahead, over TLS as to
 * AWS and over plain HTTP as to the emulator, and one that closed meanwhile is passed over.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer as createHttpServer, request as httpRequest, type Agent, type Server } from "node:http";
import { createServer as createHttpsServer, request as httpsRequest } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ListClustersCommand } from "@aws-sdk/client-ecs";
import { createAwsClients } from "../../../src/aws/clients.js";
import { AgentsAhead, MOST_AHEAD, openAhead } from "../../../src/aws/connections.js";
import { LOCALHOST_CERT, LOCALHOST_KEY } from "../../helpers/tls-localhost.js";

const servers: Server[] = [];
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/** Until `count` connections were accepted (a few milliseconds on this machine; the test's timeout otherwise). */
async function accepting(accepted: readonly Socket[], count: number): Promise<void> {
  while (accepted.length < count) await tick();
}
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

/** A server answering "ok" that records every connection it accepts (for TLS, once its handshake is done). */
async function serve(secure: boolean): Promise<{ url: URL; accepted: Socket[] }> {
  const answer = (_: unknown, res: { end: (body: string) => void }) => res.end("ok");
  const server = secure ? createHttpsServer({ cert: LOCALHOST_CERT, key: LOCALHOST_KEY }, answer) : createHttpServer(answer);
  servers.push(server);
  const accepted: Socket[] = [];
  server.on(secure ? "secureConnection" : "connection", (socket: Socket) => accepted.push(socket));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: new URL(`${secure ? "https" : "http"}://localhost:${(server.address() as AddressInfo).port}`), accepted };
}

/** `count` requests at once through `agent`; each one's local port (its connection). */
async function requests(url: URL, agent: Agent, count: number): Promise<number[]> {
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return Promise.all(
    Array.from({ length: count }, () =>
      new Promise<number>((resolve, reject) => {
        const req = send(url, { agent, host: "localhost" }, (res) => {
          res.resume();
          res.on("end", () => resolve(req.socket?.localPort ?? 0));
        });
        req.on("error", reject);
        req.end();
      }),
    ),
  );
}

describe("connections opened ahead", () => {
  for (const secure of [true, false]) {
    it(`${secure ? "TLS" : "plain HTTP"}: requests made together after openAhead use the connections opened ahead, and open none`, async () => {
      const { url, accepted } = await serve(secure);
      const agents = new AgentsAhead({ ca: LOCALHOST_CERT });
      agents.openAhead(url, 3);
      await accepting(accepted, 3);
      const ports = await requests(url, secure ? agents.httpsAgent : agents.httpAgent, 3);
      expect(accepted).toHaveLength(3);
      expect([...new Set(ports)].sort()).toEqual(accepted.map((socket) => socket.remotePort).sort());
    });
  }

  it("passes over a connection that closed before it was used", async () => {
    const { url, accepted } = await serve(false);
    const agents = new AgentsAhead();
    agents.openAhead(url, 2);
    await accepting(accepted, 2);
    accepted[0]?.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [port] = await requests(url, agents.httpAgent, 1);
    expect(port).toBe(accepted[1]?.remotePort);
    expect(accepted).toHaveLength(2);
  });

  it(`opens at most ${MOST_AHEAD} at once`, async () => {
    const { url, accepted } = await serve(false);
    new AgentsAhead().openAhead(url, 50);
    await accepting(accepted, MOST_AHEAD);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(accepted).toHaveLength(MOST_AHEAD);
  });

  it("openAhead(clients) leaves clients without agent slots, or without a configuration, as they are", () => {
    const send = () => undefined;
    expect(() => openAhead({ ecs: { send }, ecr: { send } } as never, { ECS: 3, ECR: 1 })).not.toThrow();
    const agents = {};
    expect(() => openAhead({ ecs: { send }, ecr: { send }, agents } as never, { ECS: 3, ECR: 1, SECRETS_MANAGER: 1 })).not.toThrow();
    expect(() => openAhead({ ecs: { send }, ecr: { send }, secretsManager: { send }, agents } as never, { ECS: 3, ECR: 1, SECRETS_MANAGER: 1 })).not.toThrow();
  });
});

describe("openAhead with Secrets Manager", () => {
  it("builds Secrets Manager's client only once ECS's first request is written: a slow build never holds it back", async () => {
    // The server in a process of its own: it notes when the request arrives while this one is busy building.
    const server = spawn(process.execPath, ["-e", 'require("node:http").createServer((q, s) => { process.stdout.write(Date.now() + "\\n"); q.resume(); q.on("end", () => { s.setHeader("content-type", "application/x-amz-json-1.1"); s.end("{\\"clusterArns\\":[]}"); }); }).listen(0, "127.0.0.1", function () { process.stdout.write("port " + this.address().port + "\\n"); });'], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const lines: string[] = [];
      server.stdout.on("data", (chunk: Buffer) => lines.push(...chunk.toString().trim().split("\n")));
      while (!lines.some((line) => line.startsWith("port "))) await tick();
      const url = `http://127.0.0.1:${lines.find((line) => line.startsWith("port "))?.slice(5)}`;
      const aws = createAwsClients({ region: "us-east-1", maxAttempts: 1, env: { AWS_ENDPOINT_URL: url, AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "b" } });
      let built = 0;
      // A Secrets Manager client whose module takes a second to load (busy: nothing else runs meanwhile).
      const secretsManager = { send: () => undefined, sdk: async () => { const until = Date.now() + 1_000; while (Date.now() < until); built = Date.now(); return aws.secretsManager; } };
      openAhead({ agents: aws.agents, get ecs() { return aws.ecs; }, get ecr() { return aws.ecr; }, secretsManager } as never, { ECS: 2, SECRETS_MANAGER: 1 });
      const sent = Date.now();
      await aws.ecs.send(new ListClustersCommand({}));
      while (!lines.some((line) => /^\d+$/.test(line))) await tick();
      const arrived = Number(lines.find((line) => /^\d+$/.test(line)));
      while (built === 0) await tick();
      expect(built - sent).toBeGreaterThanOrEqual(1_000); // it was built, after the request
      expect(arrived - sent, "the request reached the server before the build's second was over").toBeLessThan(500);
    } finally {
      server.kill();
    }
  });
});
