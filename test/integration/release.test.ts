/**
 * `ecs-release release` end to end: the built CLI against the emulator, real SDK clients reading the
 * state back. Rollouts advance one step per DescribeServices call; rules pick the outcome by SHA.
 * Every run's output is scanned for the SecureString marker values.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteParameterCommand } from "@aws-sdk/client-ssm";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, TagResourceCommand, UpdateServiceCommand, type ContainerDefinition } from "@aws-sdk/client-ecs";
import { TAG } from "../../src/core/tags.js";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { runCli, startCli, type CliRun } from "../helpers/cli.js";
import { useEmulator, writeOperations } from "../helpers/emulator.js";
import { createRole, imageUri, pinnedImageUri, putImage, putParameters, registerTaskDefinition, SEED_EXECUTION_ROLE, SEED_RECORD, SEED_SHAS, seedEachTest } from "../helpers/seed.js";
import { waitUntil } from "../helpers/wait-until.js";

const handle = useEmulator();
const clients = seedEachTest(handle);
let seeded = 0;
const dir = mkdtempSync(join(tmpdir(), "ecs-release-release-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** SecureString values that must never appear in any output. */
const SECRETS = ["s3cr3t", "MARKER-7f3a9c-db-password", "MARKER-b41e02-api-key", "MARKER-c0ffee-rotated"];
const FAST = ["--poll-interval", "10ms"];
// The default --secure-strings secretsmanager (test/integration/secrets-manager.test.ts has its own
// tests); what the tasks got is read back through the emulator's task environment.
const BASE = ["--cluster", "prod", "--ssm-path", "/platform/prod", "--repository", "platform"];
const [SHA_A, SHA_B, SHA_C] = SEED_SHAS;

beforeEach(async () => {
  await putParameters(clients, "/platform/prod", { "api/KEY": { value: SECRETS[2]!, secure: true }, "database/PASSWORD": { value: SECRETS[1]!, secure: true } });
  seeded = (await handle.emulator.callLog()).length;
});

/** Runs `release`; asserts that no SecureString value appears in anything it printed. */
async function release(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const cli = await runCli(["release", ...args], { ...handle.env(), ...env });
  for (const secret of SECRETS) expect(cli.output, `output contains the secret ${secret}`).not.toContain(secret);
  return cli;
}

async function writes(): Promise<string[]> {
  return writeOperations((await handle.emulator.callLog()).slice(seeded)).map((e) => e.operation);
}

async function calls(): Promise<string[]> {
  return (await handle.emulator.callLog()).slice(seeded).map((e) => e.operation);
}

async function taskDefinition(ref: string) {
  const out = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref, include: ["TAGS"] }));
  const tags = Object.fromEntries((out.tags ?? []).map((t) => [t.key, t.value]));
  return { taskDefinition: out.taskDefinition!, tags };
}

function container(containers: ContainerDefinition[] | undefined, name: string): ContainerDefinition {
  const found = (containers ?? []).find((c) => c.name === name);
  if (!found) throw new Error(`no container ${name}`);
  return found;
}

function envOf(c: ContainerDefinition): Record<string, string> {
  return Object.fromEntries((c.environment ?? []).map((e) => [e.name, e.value]));
}

/** The environment the service's current tasks started with (inline values and resolved secrets), as the emulator's ECS gave it to `container`. */
async function taskEnvironment(service: string, name = "app"): Promise<Record<string, string> | undefined> {
  const out = await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: [service] }));
  return (await handle.emulator.serviceEnvironment(out.services?.[0]?.clusterArn ?? "", service))?.[name];
}

/** The names a container's `secrets[]` gives it, each referencing the environment's Secrets Manager snapshot by version id. */
function snapshotSecretNames(c: ContainerDefinition): string[] {
  for (const s of c.secrets ?? []) expect(s.valueFrom).toMatch(/^arn:aws:secretsmanager:[^:]+:\d{12}:secret:ecs-release\/platform\/prod-\w{6}:\w+::[0-9a-f-]{32,64}$/);
  return (c.secrets ?? []).map((s) => s.name ?? "");
}

async function serviceTaskDefinition(name: string): Promise<string> {
  const out = await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: [name] }));
  return out.services?.[0]?.taskDefinition ?? "";
}

function logLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => /^\d{4}-\d\d-\d\dT[\d:]+Z /.test(line));
}

describe("release: forward revisions from SSM", () => {
  it("releases onto a hand-made revision, then again after parameters were added, changed and deleted", async () => {
    const first = await release([...BASE, "--service", "web", "--sha", SHA_B, "--json", ...FAST], { CIRCLE_PIPELINE_NUM: "42", CIRCLE_USERNAME: "ada", CIRCLE_BUILD_URL: "https://circleci.com/gh/acme/platform/7" });
    expect(first.code, first.stderr).toBe(0);
    const web2 = await taskDefinition("web:2");
    const app = container(web2.taskDefinition.containerDefinitions, "app");
    // Pinned by digest: the tag cannot be moved under the revision (the tag stays in ecs-release:image).
    expect(app.image).toBe(await pinnedImageUri(clients, "platform", SHA_B));
    // The tasks got every parameter; the revision holds the plain ones and references the SecureStrings.
    expect(await taskEnvironment("web")).toEqual({
      FEATURE_FLAGS: "search,checkout",
      LOG_LEVEL: "info",
      api_KEY: SECRETS[2],
      database_HOST: "db.internal",
      database_PASSWORD: SECRETS[1],
      database_PORT: "5432",
      web_WORKERS: "4",
    });
    expect(envOf(app)).toEqual({ FEATURE_FLAGS: "search,checkout", LOG_LEVEL: "info", database_HOST: "db.internal", database_PORT: "5432", web_WORKERS: "4" });
    expect(snapshotSecretNames(app)).toEqual(["api_KEY", "database_PASSWORD"]);
    // The sidecar keeps its image and (no) environment; the revision keeps the rest of the definition.
    const sidecar = container(web2.taskDefinition.containerDefinitions, "log-router");
    expect(sidecar.image).toBe("public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0");
    expect(sidecar.environment ?? []).toEqual([]);
    expect(app.portMappings).toEqual([expect.objectContaining({ containerPort: 8080 })]);
    expect(web2.taskDefinition.cpu).toBe("256");
    expect(web2.tags).toMatchObject({
      "ecs-release:sha": SHA_B,
      "ecs-release:image": imageUri("platform", SHA_B),
      "ecs-release:pipeline": "42",
      "ecs-release:released-by": "ada",
      "ecs-release:job-url": "https://circleci.com/gh/acme/platform/7",
      "ecs-release:outcome": "stable",
    });
    expect(web2.tags["ecs-release:version"]).toMatch(/^\d+\.\d+\.\d+/);
    expect(await serviceTaskDefinition("web")).toBe(web2.taskDefinition.taskDefinitionArn);

    // Add, change, delete; then release the next commit.
    await putParameters(clients, "/platform/prod", { NEW_THING: "yes", LOG_LEVEL: "debug", "database/PASSWORD": { value: SECRETS[3]!, secure: true } });
    await clients.ssm.send(new DeleteParameterCommand({ Name: "/platform/prod/web/WORKERS" }));
    await putImage(clients, "platform", "4444444444444444444444444444444444444444");
    const second = await release([...BASE, "--service", "web", "--sha", "4444444444444444444444444444444444444444", ...FAST]);
    expect(second.code, second.stderr).toBe(0);
    const web3 = await taskDefinition("web:3");
    expect(await serviceTaskDefinition("web")).toBe(web3.taskDefinition.taskDefinitionArn);
    const env3 = await taskEnvironment("web");
    expect(env3).toMatchObject({ NEW_THING: "yes", LOG_LEVEL: "debug", database_PASSWORD: SECRETS[3] });
    expect(env3).not.toHaveProperty("web_WORKERS");
    expect(envOf(container(web3.taskDefinition.containerDefinitions, "app"))).not.toHaveProperty("web_WORKERS");
    expect(web3.tags["ecs-release:outcome"]).toBe("stable");
    // The previous revision's outcome is not inherited by the new one, and it keeps its own.
    expect((await taskDefinition("web:2")).tags["ecs-release:outcome"]).toBe("stable");
  });

  it("maps nested paths and reads every page (more than 10 parameters, an exact multiple of 10)", async () => {
    // 6 seeded + 1 more in beforeEach + 13 here = 20 parameters: two full pages.
    const many: Record<string, string> = {};
    for (let i = 0; i < 11; i++) many[`bulk/N${String(i).padStart(2, "0")}`] = `v${i}`;
    many["deep/er/still/NAME"] = "nested";
    many["Mixed_Case"] = "kept";
    await putParameters(clients, "/platform/prod", many);
    const cli = await release([...BASE, "--service", "worker", "--sha", SHA_B, "--json", ...FAST]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(await serviceTaskDefinition("worker")).toMatch(/worker:2$/);
    const env = (await taskEnvironment("worker")) ?? {};
    expect(Object.keys(env)).toHaveLength(20); // 18 inline, 2 SecureStrings through the snapshot
    expect(env).toMatchObject({ bulk_N00: "v0", bulk_N09: "v9", deep_er_still_NAME: "nested", Mixed_Case: "kept" });
    const pages = (await calls()).filter((op) => op === "GetParametersByPath").length;
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(pages).toBeLessThanOrEqual(3);
  });

  it("releases a web and a worker service of two families: two revisions, both updated, both waited on", async () => {
    await handle.emulator.addRule({ match: SHA_B, outcome: "complete", steps: 3 });
    const cli = await release([...BASE, "--service", "web,worker", "--sha", SHA_B, "--json", ...FAST]);
    expect(cli.code, cli.stderr).toBe(0);
    const result = JSON.parse(cli.stdout);
    expect(result.revisions.map((r: { taskDefinitionArn: string }) => r.taskDefinitionArn.replace(/.*\//, ""))).toEqual(["web:2", "worker:2"]);
    expect(result.services).toEqual([
      expect.objectContaining({ service: "web", outcome: "completed", to: expect.stringMatching(/web:2$/) }),
      expect.objectContaining({ service: "worker", outcome: "completed", to: expect.stringMatching(/worker:2$/) }),
    ]);
    expect(result.phases).toEqual({ verifyMs: expect.any(Number), registerMs: expect.any(Number), updateMs: expect.any(Number), waitMs: expect.any(Number) });
    const ops = await calls();
    expect(ops.filter((op) => op === "RegisterTaskDefinition")).toHaveLength(2);
    expect(ops.filter((op) => op === "UpdateService")).toHaveLength(2);
    expect(ops.filter((op) => op === "DescribeTaskDefinition")).toHaveLength(2);
    // Mixed versions are visible while waiting, old and new side by side.
    expect(cli.stderr).toMatch(/web: new web:2 1\/2 running.* \| old web:1 1\/2 running/);
    expect(cli.stderr).toContain("worker: stable on worker:2");
    expect(cli.stderr).toContain("web: stable on web:2");
    expect(await serviceTaskDefinition("worker")).toMatch(/worker:2$/);
  });
});

describe("release: templates", () => {
  it("takes a JSON template for one family and a YAML one for the other", async () => {
    const json = join(dir, "web.json");
    writeFileSync(
      json,
      JSON.stringify({
        family: "web",
        executionRoleArn: SEED_EXECUTION_ROLE,
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "512",
        memory: "1024",
        containerDefinitions: [{ name: "app", image: "platform:placeholder", essential: true, environment: [{ name: "FROM_TEMPLATE", value: "1" }, { name: "EMPTY", value: "" }, { name: "LOG_LEVEL", value: "template-loses" }] }],
        tags: [{ key: "team", value: "web" }],
      }),
    );
    const yaml = join(dir, "worker.yaml");
    writeFileSync(
      yaml,
      ["family: worker", `executionRoleArn: ${SEED_EXECUTION_ROLE}`, "networkMode: awsvpc", "requiresCompatibilities: [FARGATE]", "cpu: 256", "memory: 512", "containerDefinitions:", "  - name: app", "    image: platform:placeholder", "    command: [worker, --queue, main]", "    essential: true", ""].join("\n"),
    );
    const cli = await release([...BASE, "--service", "web", "--service", "worker", "--sha", SHA_B, "--template", `web=${json}`, "--template", `worker=${yaml}`, ...FAST]);
    expect(cli.code, cli.stderr).toBe(0);
    const web = await taskDefinition("web:2");
    expect(web.taskDefinition.cpu).toBe("512");
    const env = envOf(container(web.taskDefinition.containerDefinitions, "app"));
    expect(env).toMatchObject({ FROM_TEMPLATE: "1", EMPTY: "", LOG_LEVEL: "info", database_HOST: "db.internal" });
    expect(web.tags).toMatchObject({ team: "web", "ecs-release:sha": SHA_B });
    expect(container(web.taskDefinition.containerDefinitions, "app").image).toBe(await pinnedImageUri(clients, "platform", SHA_B));
    const worker = await taskDefinition("worker:2");
    expect(worker.taskDefinition.cpu).toBe("256");
    expect(container(worker.taskDefinition.containerDefinitions, "app").command).toEqual(["worker", "--queue", "main"]);
  });

  it("takes a template pasted from describe-task-definition output (wrapper and read-only fields)", async () => {
    const described = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "web:1", include: ["TAGS"] }));
    const pasted = join(dir, "pasted.json");
    writeFileSync(
      pasted,
      JSON.stringify({
        taskDefinition: {
          ...described.taskDefinition,
          status: "ACTIVE",
          revision: 1,
          requiresAttributes: [{ name: "com.amazonaws.ecs.capability.docker-remote-api.1.18" }],
          compatibilities: ["EC2", "FARGATE"],
          registeredAt: "2026-01-01T00:00:00.000Z",
          registeredBy: "arn:aws:iam::123456789012:user/someone",
        },
        tags: [{ key: "owner", value: "platform-team" }, { key: "ecs-release:outcome", value: "failed" }],
      }),
    );
    const cli = await release([...BASE, "--service", "web", "--sha", SHA_B, "--template", pasted, ...FAST]);
    expect(cli.code, cli.stderr).toBe(0);
    const web = await taskDefinition("web:2");
    expect(web.tags).toMatchObject({ owner: "platform-team", "ecs-release:outcome": "stable" });
    expect(container(web.taskDefinition.containerDefinitions, "log-router").image).toContain("fluent-bit");
    expect(envOf(container(web.taskDefinition.containerDefinitions, "app"))).toHaveProperty("database_HOST", "db.internal");
  });

  it("--secure-strings secrets references SecureStrings by ARN and needs an execution role", async () => {
    const roleless = join(dir, "worker-no-role.json");
    writeFileSync(roleless, JSON.stringify({ family: "worker", networkMode: "awsvpc", requiresCompatibilities: ["FARGATE"], cpu: "256", memory: "512", containerDefinitions: [{ name: "app", image: "x", essential: true }] }));
    const noRole = await release([...BASE, "--service", "worker", "--sha", SHA_B, "--secure-strings", "secrets", "--template", roleless, ...FAST]);
    expect(noRole.code).toBe(2);
    expect(logLines(noRole.stderr)).toEqual([expect.stringMatching(/error: .*no executionRoleArn/)]);
    expect(await writes()).toEqual([]);

    // The pre-flight reads the role (it must exist and trust ecs-tasks.amazonaws.com).
    await createRole(clients, "exec");
    const file = join(dir, "worker-role.json");
    writeFileSync(
      file,
      JSON.stringify({ family: "worker", executionRoleArn: "arn:aws:iam::123456789012:role/exec", networkMode: "awsvpc", requiresCompatibilities: ["FARGATE"], cpu: "256", memory: "512", containerDefinitions: [{ name: "app", image: "x", essential: true }] }),
    );
    const cli = await release([...BASE, "--service", "worker", "--sha", SHA_B, "--secure-strings", "secrets", "--template", file, ...FAST]);
    expect(cli.code, cli.stderr).toBe(0);
    const app = container((await taskDefinition("worker:2")).taskDefinition.containerDefinitions, "app");
    expect(envOf(app)).not.toHaveProperty("database_PASSWORD");
    expect(app.secrets).toEqual(
      expect.arrayContaining([
        { name: "database_PASSWORD", valueFrom: "arn:aws:ssm:us-east-1:123456789012:parameter/platform/prod/database/PASSWORD" },
        { name: "api_KEY", valueFrom: "arn:aws:ssm:us-east-1:123456789012:parameter/platform/prod/api/KEY" },
      ]),
    );
  });
});

describe("release: --dry-run", () => {
  it("prints the diff against what runs now, secrets masked, and writes nothing", async () => {
    const cli = await release([...BASE, "--service", "web", "--sha", SHA_B, "--dry-run", "--env", "EXTRA=1", "--json"]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stderr).toContain("dry run: web would go from web:1 to a new revision of web:");
    expect(cli.stderr).toContain(`image: ${imageUri("platform", SHA_A)} → ${await pinnedImageUri(clients, "platform", SHA_B)}`);
    expect(cli.stderr).toContain("+ database_PASSWORD=****");
    expect(cli.stderr).toContain("+ LOG_LEVEL=info");
    expect(cli.stderr).toContain("+ EXTRA=1");
    expect(cli.stderr).toContain("dry run: nothing was written");
    expect(JSON.parse(cli.stdout)).toMatchObject({ dryRun: true, services: [{ service: "web", outcome: "dry-run" }] });
    expect(await writes()).toEqual([]);

    // After a release, a changed secret is "changed" without values; a deleted variable is listed.
    expect((await release([...BASE, "--service", "web", "--sha", SHA_B, ...FAST])).code).toBe(0);
    await putParameters(clients, "/platform/prod", { "database/PASSWORD": { value: SECRETS[3]!, secure: true }, LOG_LEVEL: "warn" });
    await clients.ssm.send(new DeleteParameterCommand({ Name: "/platform/prod/FEATURE_FLAGS" }));
    const before = (await handle.emulator.callLog()).length;
    const again = await release([...BASE, "--service", "web", "--sha", SHA_B, "--dry-run"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("~ database_PASSWORD (secret) changed");
    expect(again.stderr).toContain("~ LOG_LEVEL: info → warn");
    expect(again.stderr).toContain("- FEATURE_FLAGS");
    expect(again.stderr).not.toContain("image:");
    expect(writeOperations((await handle.emulator.callLog()).slice(before))).toEqual([]);
  });
});

describe("release: rollout outcomes", () => {
  it("complete: exit 0 and the revision tagged stable", async () => {
    await handle.emulator.addRule({ match: SHA_B, outcome: "complete", steps: 2 });
    const cli = await release([...BASE, "--service", "web", "--sha", SHA_B, ...FAST]);
    expect(cli.code, cli.stderr).toBe(0);
    expect((await taskDefinition("web:2")).tags["ecs-release:outcome"]).toBe("stable");
  });

  it("fail with a circuit-breaker rollback: exit 1 naming the revision the service is back on, the revision tagged failed", async () => {
    await handle.emulator.addRule({ match: SHA_B, outcome: "fail", steps: 2 });
    const cli = await release([...BASE, "--service", "web", "--sha", SHA_B, "--json", ...FAST]);
    expect(cli.code, cli.stderr).toBe(1);
    const errorLine = logLines(cli.stderr).find((l) => l.includes("error:")) ?? "";
    expect(errorLine).toMatch(/deployment failed: web: web:2 failed \(.+\); the service is back on web:1/);
    expect(cli.stderr).toMatch(/ECS is rolling back to web:1/);
    expect((await taskDefinition("web:2")).tags["ecs-release:outcome"]).toBe("failed");
    expect(await serviceTaskDefinition("web")).toMatch(/web:1$/);
    const document = JSON.parse(cli.stdout);
    expect(document.error.exitCode).toBe(1);
    expect(document.result.services[0]).toMatchObject({ service: "web", outcome: "rolled-back", fallenBackTo: expect.stringMatching(/web:1$/) });
  });

  it("stuck: exit 4 at --timeout with the state at the deadline", async () => {
    await handle.emulator.addRule({ match: SHA_B, outcome: "stuck" });
    const cli = await release([...BASE, "--service", "web", "--sha", SHA_B, "--timeout", "400ms", ...FAST]);
    expect(cli.code, cli.stderr).toBe(4);
    expect(logLines(cli.stderr).find((l) => l.includes("error:"))).toMatch(/timed out after .*; state at the deadline: web: web:2 still rolling out \(deployment ecs-svc\/\d+: .*\) \[new web:2 \d\/2 running/);
    expect((await taskDefinition("web:2")).tags["ecs-release:outcome"]).toBeUndefined();
  });

  it("interrupted while waiting: nothing cancelled, says how to follow or roll back", async () => {
    await handle.emulator.addRule({ match: SHA_B, outcome: "stuck" });
    const running = startCli(["release", ...BASE, "--service", "web", "--sha", SHA_B, "--poll-interval", "50ms"], handle.env());
    await waitUntil(() => /web: new web:2/.test(running.stderr()), "the wait to start", () => handle.emulator.callLog());
    running.interrupt("SIGINT");
    const { code, stderr } = await running.ended;
    expect(code).toBe(130);
    expect(stderr).toMatch(/error: interrupted while waiting; the deployment was not cancelled \(still rolling out: web → web:2\): follow it with `ecs-release status --cluster prod --service web` or roll back with `ecs-release rollback --cluster prod --service web`/);
    expect(await serviceTaskDefinition("web")).toMatch(/web:2$/);
  });

  it("--no-wait returns after the update", async () => {
    await handle.emulator.addRule({ match: SHA_B, outcome: "stuck" });
    const cli = await release([...BASE, "--service", "web", "--sha", SHA_B, "--no-wait", "--json"]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout).services[0]).toMatchObject({ outcome: "not-waited", deploymentId: expect.stringMatching(/^ecs-svc\//) });
  });
});

describe("release: an UpdateService that fails after retries", () => {
  it("exits 3 naming the call, and says which services were already updated (they roll out)", async () => {
    // 11 ServiceUnavailable answers for the two concurrent UpdateService calls, 6 attempts each (the
    // SDK's retries): both first attempts fail, so one call gets at most 5 more and succeeds while
    // the other runs out of attempts. Which one is up to the scheduler.
    await handle.emulator.addFault({ operation: "UpdateService", error: "ServiceUnavailable", rate: 1, count: 11 });
    const cli = await release([...BASE, "--service", "web,worker", "--sha", SHA_B, "--json", ...FAST]);
    expect(cli.code, cli.stderr).toBe(3);
    expect(logLines(cli.stderr).at(-1)).toMatch(/error: UpdateService prod\/(web|worker) failed: ServiceUnavailable: .*\(already updated: (web → web:2|worker → worker:2); those roll out regardless\)$/);
    const result = JSON.parse(cli.stdout).result as { services: Array<{ service: string; outcome: string; deploymentId: string | null }> };
    expect(result.services.map((s) => s.outcome).sort()).toEqual(["not-updated", "not-waited"]);
    const updated = result.services.find((s) => s.outcome === "not-waited")!;
    await serviceTaskDefinition(updated.service); // the first read after UpdateService may be stale (emulator default)
    expect(await serviceTaskDefinition(updated.service)).toMatch(new RegExp(`${updated.service}:2$`));
    const other = result.services.find((s) => s.outcome === "not-updated")!;
    expect(await serviceTaskDefinition(other.service)).toMatch(new RegExp(`${other.service}:1$`));
  }, 60_000);
});

describe("release: re-releasing an older SHA", () => {
  it("works from the SHA alone and prints how the environment drifted", async () => {
    expect((await release([...BASE, "--service", "web", "--sha", SHA_B, ...FAST])).code).toBe(0);
    expect((await release([...BASE, "--service", "web", "--sha", SHA_C, ...FAST])).code).toBe(0);
    // ECR's push times have whole seconds, and a push in the same second as the running revision's
    // release counts as a forward release. Instead of sleeping past the second, record C's release as
    // an hour later (the tag release reads), as it would be in a real pipeline.
    await clients.ecs.send(new TagResourceCommand({ resourceArn: await serviceTaskDefinition("web"), tags: [{ key: TAG.releasedAt, value: new Date(Date.now() + 3_600_000).toISOString() }] }));
    await putParameters(clients, "/platform/prod", { LOG_LEVEL: "debug", ADDED_LATER: "1", "database/PASSWORD": { value: SECRETS[3]!, secure: true } });
    await clients.ssm.send(new DeleteParameterCommand({ Name: "/platform/prod/web/WORKERS" }));

    const cli = await release([...BASE, "--service", "web", "--sha", SHA_B, "--json", ...FAST]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stderr).toContain(`re-releasing ${SHA_B.slice(0, 12)}, first released as web:2: today's environment differs (4 changes):`);
    expect(cli.stderr).toContain("+ ADDED_LATER=1");
    expect(cli.stderr).toContain("~ LOG_LEVEL: info → debug");
    expect(cli.stderr).toContain("~ database_PASSWORD (secret) changed");
    expect(cli.stderr).toContain("- web_WORKERS");
    const web4 = await taskDefinition("web:4");
    expect(container(web4.taskDefinition.containerDefinitions, "app").image).toBe(await pinnedImageUri(clients, "platform", SHA_B));
    expect(envOf(container(web4.taskDefinition.containerDefinitions, "app"))).toMatchObject({ LOG_LEVEL: "debug", ADDED_LATER: "1" });
    expect(JSON.parse(cli.stdout).drift).toEqual([expect.objectContaining({ family: "web", releasedIn: expect.stringMatching(/web:2$/) })]);
  });
});

describe("release: bad input exits 2 with one line and writes nothing", () => {
  async function expectRefused(args: string[], message: RegExp): Promise<void> {
    const cli = await release(args);
    expect(cli.code, cli.stderr).toBe(2);
    const lines = logLines(cli.stderr);
    expect(lines, cli.stderr).toHaveLength(lines.filter((l) => l.includes("warning:")).length + 1);
    expect(lines.find((l) => l.includes("error:"))).toMatch(message);
    expect(await writes()).toEqual([]);
  }

  it("unknown cluster", () => expectRefused(["--cluster", "nope", "--service", "web", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", SHA_B], /cluster "nope" not found/));

  it("unknown service", () => expectRefused([...BASE, "--service", "web,ghost", "--sha", SHA_B], /service not found in cluster prod: ghost/));

  it("image tag missing in ECR", () =>
    expectRefused([...BASE, "--service", "web", "--sha", "9999999999999999999999999999999999999999"], /image platform:9{40} is not in ECR: the build job may not have run for this commit, or a lifecycle policy expired the image/));

  it("empty SSM path", () => expectRefused(["--cluster", "prod", "--service", "web", "--ssm-path", "/platform/nothing", "--repository", "platform", "--sha", SHA_B], /no SSM parameters under \/platform\/nothing/));

  it("invalid environment names, all listed at once", async () => {
    await putParameters(clients, "/platform/prod", { "bad-name": "x", "1ST": "y", "dotted.name": "z" });
    seeded = (await handle.emulator.callLog()).length;
    await expectRefused([...BASE, "--service", "web", "--sha", SHA_B], /3 parameters map to invalid environment variable names: .*\/platform\/prod\/1ST.*\/platform\/prod\/bad-name.*\/platform\/prod\/dotted\.name/);
  });

  it("colliding names", async () => {
    await putParameters(clients, "/platform/prod", { database_HOST: "other" });
    seeded = (await handle.emulator.callLog()).length;
    await expectRefused([...BASE, "--service", "web", "--sha", SHA_B], /\/platform\/prod\/database\/HOST and \/platform\/prod\/database_HOST → database_HOST/);
  });

  it("a template that is not a task definition", async () => {
    const file = join(dir, "not-td.json");
    writeFileSync(file, JSON.stringify({ services: ["web"] }));
    await expectRefused([...BASE, "--service", "web", "--sha", SHA_B, "--template", file], /template .*not-td\.json is not a task definition: it has no "family"/);
  });

  it("a container that is missing", () => expectRefused([...BASE, "--service", "web", "--sha", SHA_B, "--container", "nope"], /has no container "nope": --container must name one of "app", "log-router"/));

  it("an ambiguous container", async () => {
    const arn = await registerTaskDefinition(clients, {
      family: "multi",
      containerDefinitions: [
        { name: "one", image: "public.ecr.aws/x/one:1", memory: 64 },
        { name: "two", image: "public.ecr.aws/x/two:1", memory: 64 },
      ],
    });
    const { CreateServiceCommand } = await import("@aws-sdk/client-ecs");
    await clients.ecs.send(new CreateServiceCommand({ cluster: "prod", serviceName: "multi", taskDefinition: arn, desiredCount: 1 }));
    seeded = (await handle.emulator.callLog()).length;
    await expectRefused([...BASE, "--service", "multi", "--sha", SHA_B], /has 2 containers \("one", "two"\) and none runs an image from platform: pass --container NAME/);
  });

  it("a deployment already in progress without --force (and with --force it goes)", async () => {
    await handle.emulator.addRule({ match: SHA_C, outcome: "stuck" });
    // (with the release record: this test is about the deployment in progress, not about adoption)
    const stuck = await registerTaskDefinition(clients, { family: "web", executionRoleArn: SEED_EXECUTION_ROLE, containerDefinitions: [{ name: "app", image: imageUri("platform", SHA_C), memory: 64 }], tags: SEED_RECORD });
    await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: stuck }));
    await serviceTaskDefinition("web"); // consume the stale read after UpdateService (emulator default), so release sees the stuck deployment
    seeded = (await handle.emulator.callLog()).length;
    await expectRefused([...BASE, "--service", "web", "--sha", SHA_B], /a deployment is already in progress on web .*pass --force/);
    const forced = await release([...BASE, "--service", "web", "--sha", SHA_B, "--force", ...FAST]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toContain("releasing over a deployment in progress (--force)");
  });

  it("both or neither of --repository and --image", async () => {
    await expectRefused(["--cluster", "prod", "--service", "web", "--ssm-path", "/platform/prod", "--sha", SHA_B], /exactly one of --repository .* or --image/);
    await expectRefused([...BASE, "--service", "web", "--image", imageUri("platform", SHA_B)], /exactly one of --repository .* or --image/);
  });
});
