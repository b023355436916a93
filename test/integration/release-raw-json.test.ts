/**
 * Task definitions travel as raw JSON (src/aws/ecs.ts): a field newer than our SDK, read by
 * DescribeTaskDefinition, reaches RegisterTaskDefinition verbatim, empty strings included. The
 * emulator's moto would drop unknown fields, so this talks to a tiny local ECS endpoint that answers
 * with a canned revision and records what it was sent — the real SDK on both sides of the wire.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createAwsClients } from "../../src/aws/clients.js";
import { describeTaskDefinition, registerTaskDefinition } from "../../src/aws/ecs.js";
import { templateFromRevision } from "../../src/core/template.js";

const received: Array<{ target: string; body: Record<string, unknown> }> = [];
let server: Server;
let url = "";

const REVISION = {
  taskDefinitionArn: "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3",
  family: "web",
  revision: 3,
  status: "ACTIVE",
  registeredAt: 1764489600.123,
  containerDefinitions: [{ name: "app", image: "i:1", environment: [{ name: "EMPTY", value: "" }], fieldFrom2030: { mode: "fast" } }],
  taskLevelFieldFrom2030: ["a", "b"],
  pidMode: "",
};

beforeAll(async () => {
  server = createServer(async (request: IncomingMessage, response) => {
    let text = "";
    for await (const chunk of request) text += String(chunk);
    const target = String(request.headers["x-amz-target"] ?? "");
    received.push({ target, body: JSON.parse(text || "{}") as Record<string, unknown> });
    response.setHeader("content-type", "application/x-amz-json-1.1");
    if (target.endsWith("DescribeTaskDefinition")) response.end(JSON.stringify({ taskDefinition: REVISION, tags: [{ key: "team", value: "web" }] }));
    else response.end(JSON.stringify({ taskDefinition: { ...REVISION, revision: 4, taskDefinitionArn: REVISION.taskDefinitionArn.replace(":3", ":4") } }));
  });
  server.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
});

it("keeps fields the SDK does not know, and empty strings, from DescribeTaskDefinition to RegisterTaskDefinition", async () => {
  const clients = createAwsClients({ region: "us-east-1", maxAttempts: 1, env: { AWS_ENDPOINT_URL: url, AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" } });
  const described = await describeTaskDefinition(clients, "web");
  expect(described.taskDefinition).toMatchObject({ taskLevelFieldFrom2030: ["a", "b"], pidMode: "" });
  expect(described.tags).toEqual({ team: "web" });

  const template = templateFromRevision(described.taskDefinition, [], described.taskDefinitionArn);
  const arn = await registerTaskDefinition(clients, template.input, { team: "web", "ecs-release:sha": "abc" });
  expect(arn).toMatch(/web:4$/);

  const register = received.find((r) => r.target.endsWith("RegisterTaskDefinition"));
  expect(register?.body).toEqual({
    family: "web",
    containerDefinitions: [{ name: "app", image: "i:1", environment: [{ name: "EMPTY", value: "" }], fieldFrom2030: { mode: "fast" } }],
    taskLevelFieldFrom2030: ["a", "b"],
    pidMode: "",
    tags: [
      { key: "team", value: "web" },
      { key: "ecs-release:sha", value: "abc" },
    ],
  });
});
