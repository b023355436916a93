/**
 * Connections opened ahead (src/aws/connections.ts), against local servers that count the connections
 * they accept: a request made after `openAhead` goes out on a connection opened ahead, over TLS as to
 * AWS and over plain HTTP as to the emulator, and one that closed meanwhile is passed over.
 */
import { once } from "node:events";
import { createServer as createHttpServer, request as httpRequest, type Agent, type Server } from "node:http";
import { createServer as createHttpsServer, request as httpsRequest } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
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
