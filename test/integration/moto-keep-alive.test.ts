/**
 * moto's server in the emulator keeps connections open between requests (KEEP_ALIVE_SERVER in
 * test/emulator/moto-process.ts), where moto as shipped (werkzeug's development server) closes each
 * one after its answer. The app is moto's own either way: the answers must not differ but for what
 * differs between any two requests (request ids, dates).
 */
import { Agent, request } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMoto, type MotoProcess } from "../emulator/moto-process.js";

interface Answer {
  readonly status: number;
  readonly reused: boolean;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One request, signed as the SDK's clients sign them only as far as moto's dispatcher reads (the credential scope names the service). */
function send(port: number, agent: Agent, call: { method?: string; path?: string; service?: string; target?: string; contentType?: string; body?: string }): Promise<Answer> {
  const body = call.body ?? "";
  const headers: Record<string, string> = { "content-length": String(Buffer.byteLength(body)) };
  if (call.service !== undefined) headers["authorization"] = `AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/${call.service}/aws4_request, SignedHeaders=host, Signature=x`;
  if (call.target !== undefined) headers["x-amz-target"] = call.target;
  if (call.contentType !== undefined) headers["content-type"] = call.contentType;
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method: call.method ?? "POST", path: call.path ?? "/", agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

const ecs = (operation: string, input: unknown) => ({ service: "ecs", target: `AmazonEC2ContainerServiceV20141113.${operation}`, contentType: "application/x-amz-json-1.1", body: JSON.stringify(input) });

/** What two equal requests can answer differently: request ids, dates; and how the connection is framed. */
const blank = (text: string) => text.replace(/[A-Za-z0-9-]{36,}/g, "<id>").replace(/\d{4}-\d\d-\d\dT[\d:.]+Z?/g, "<date>");
const FRAMING = ["date", "connection", "keep-alive", "transfer-encoding"];
const comparable = (answer: Answer) => ({
  status: answer.status,
  headers: Object.fromEntries(
    Object.entries(answer.headers)
      .filter(([name]) => !FRAMING.includes(name))
      .map(([name, value]) => [name, blank(String(value))]),
  ),
  body: blank(answer.body),
});

let keep: MotoProcess;
let shipped: MotoProcess;
beforeAll(async () => {
  [keep, shipped] = await Promise.all([startMoto(), startMoto({ asShipped: true })]);
});
afterAll(async () => {
  await Promise.all([keep?.stop(), shipped?.stop()]);
});

describe("moto's server in the emulator", () => {
  it("carries request after request on one connection; moto as shipped closes each", async () => {
    for (const [moto, reuses] of [[keep, true], [shipped, false]] as const) {
      const agent = new Agent({ keepAlive: true });
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await send(moto.port, agent, ecs("ListClusters", {})));
      agent.destroy();
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
      expect(answers.map((answer) => answer.reused)).toEqual([false, reuses, reuses]);
    }
  });

  it("answers moto's own answers: JSON, query and REST protocols, errors, HEAD", async () => {
    const calls: Parameters<typeof send>[2][] = [
      ecs("CreateCluster", { clusterName: "keep-alive" }),
      ecs("DescribeClusters", { clusters: ["keep-alive"] }),
      ecs("DescribeServices", { cluster: "missing", services: ["web"] }),
      { service: "iam", contentType: "application/x-www-form-urlencoded; charset=utf-8", body: "Action=ListRoles&Version=2010-05-08" },
      { service: "scheduler", method: "GET", path: "/schedules?NamePrefix=a%20b&MaxResults=5" },
      { ...ecs("ListClusters", {}), method: "HEAD" },
    ];
    for (const call of calls) {
      const agent = new Agent({ keepAlive: true });
      const [ours, theirs] = [await send(keep.port, agent, call), await send(shipped.port, agent, call)];
      agent.destroy();
      // Every header but the framing, the Content-Length included (a HEAD's is the full answer's).
      expect(comparable(ours), JSON.stringify(call)).toEqual(comparable(theirs));
      expect(ours.headers["content-length"], JSON.stringify(call)).toBe(String(Buffer.byteLength(call.method === "HEAD" ? (await send(keep.port, new Agent(), { ...call, method: "POST" })).body : ours.body)));
    }
  });

  it("closes a connection as HTTP/1.1 says: a client's Connection: close is answered in kind, a body it cannot frame gets 400", async () => {
    // Raw requests on one socket each: what comes back before moto closes it.
    const raw = (text: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(keep.port, "127.0.0.1", () => socket.end(text));
        let answer = "";
        socket.on("data", (chunk: Buffer) => (answer += chunk.toString("latin1")));
        socket.on("close", () => resolve(answer));
        socket.on("error", reject);
      });
    const listClusters = "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AmazonEC2ContainerServiceV20141113.ListClusters\r\nContent-Type: application/x-amz-json-1.1\r\nAuthorization: AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=x\r\n";
    const closing = await raw(`${listClusters}Connection: close\r\nContent-Length: 2\r\n\r\n{}`);
    expect(closing).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(closing).toMatch(/\r\nConnection: close\r\n/i);
    expect(closing).toMatch(/\r\n\r\n\{"clusterArns": \[.*\]\}$/);
    const unframed = await raw(`${listClusters}Content-Length: two\r\n\r\n{}`);
    expect(unframed).toMatch(/^HTTP\/1\.1 400 /);
    expect(unframed).toMatch(/\r\nConnection: close\r\n/i);
  });

  it("answers an exception in moto as werkzeug does (500 Internal Server Error), and the connection carries on", async () => {
    const agent = new Agent({ keepAlive: true });
    // moto's seed endpoint parses its `a` parameter as an integer: a word raises inside moto.
    const failed = await send(keep.port, agent, { path: "/moto-api/seed?a=word" });
    const asShipped = await send(shipped.port, new Agent(), { path: "/moto-api/seed?a=word" });
    expect(comparable(failed)).toEqual(comparable(asShipped));
    expect(failed.status).toBe(500);
    const next = await send(keep.port, agent, { path: "/moto-api/seed?a=42" });
    agent.destroy();
    expect(next).toMatchObject({ status: 200, reused: true });
  });
});
