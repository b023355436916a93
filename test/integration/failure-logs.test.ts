/**
 * What the containers said, in every failure: a failed rollout (release, rollback) shows the last
 * lines of each stopped task it names, from the essential container's awslogs stream
 * (`prefix/container/task-id`), in its output and in `--json`. The emulator's failing tasks write a
 * traceback-like error there (test/emulator/task-logs.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { REGION, useEmulator } from "../helpers/emulator.js";
import { createLogGroup, imageUri, pinnedImageUri, SEED_EXECUTION_ROLE, SEED_SHAS, seedEachTest } from "../helpers/seed.js";

const handle = useEmulator();
const clients = seedEachTest(handle);
const dir = mkdtempSync(join(tmpdir(), "ecs-release-failure-logs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SHA = SEED_SHAS[2];
const GROUP = "/ecs/worker";

function template(): string {
  const file = join(dir, "worker.json");
  const logConfiguration = { logDriver: "awslogs", options: { "awslogs-group": GROUP, "awslogs-region": REGION, "awslogs-stream-prefix": "ecs" } };
  writeFileSync(
    file,
    JSON.stringify({ family: "worker", executionRoleArn: SEED_EXECUTION_ROLE, networkMode: "awsvpc", requiresCompatibilities: ["FARGATE"], cpu: "256", memory: "512", containerDefinitions: [{ name: "app", image: imageUri("platform", SHA), essential: true, memory: 256, logConfiguration }] }),
  );
  return file;
}

interface StoppedTask {
  taskId: string;
  logs?: { container: string; group: string; stream: string; lines: string[] };
}

describe("failure output: the stopped tasks' last log lines", () => {
  it("a failed rollout prints each stopped task's last log lines and carries them in --json", async () => {
    await createLogGroup(clients, GROUP);
    await handle.emulator.addRule({ match: SHA, outcome: "fail", steps: 1, exitCode: 3 });
    const cli = await runCli(
      ["release", "--cluster", "prod", "--service", "worker", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", SHA, "--template", template(), "--poll-interval", "1ms", "--json"],
      handle.env(),
    );
    expect(cli.code, cli.stderr).toBe(1);
    expect(cli.stderr).toMatch(/worker: task \w+: the last \d+ log lines of container app \(\/ecs\/worker ecs\/app\/\w+\):/);
    expect(cli.stderr).toContain("  | Traceback (most recent call last):");
    // The release pins the image by digest, so the container ran (and logged) platform@sha256:….
    const ran = (await pinnedImageUri(clients, "platform", SHA)).split("/").at(-1) ?? "";
    expect(ran).toMatch(/^platform@sha256:[0-9a-f]{64}$/);
    const lastLine = `RuntimeError: ${ran} failed (exit code 3)`;
    expect(cli.stderr.split("\n").find((line) => line.includes(" error: deployment failed: "))).toContain(`its log ends: "${lastLine}"`);
    const document = JSON.parse(cli.stdout) as { result: { services: Array<{ stoppedTasks?: StoppedTask[] }> } };
    const stopped = document.result.services[0]?.stoppedTasks ?? [];
    expect(stopped.length).toBeGreaterThan(0);
    expect(stopped[0]?.logs).toMatchObject({ container: "app", group: GROUP, stream: `ecs/app/${stopped[0]?.taskId}` });
    expect(stopped[0]?.logs?.lines.at(-1)).toBe(lastLine);
  });

  it("status --stopped-tasks shows a service's recently stopped tasks with the last lines of their log", async () => {
    await createLogGroup(clients, GROUP);
    await handle.emulator.addRule({ match: SHA, outcome: "fail", steps: 1, exitCode: 3 });
    const release = ["release", "--cluster", "prod", "--service", "worker", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", SHA, "--template", template(), "--poll-interval", "1ms"];
    expect((await runCli(release, handle.env())).code).toBe(1);
    const plain = await runCli(["status", "--cluster", "prod", "--service", "worker"], handle.env());
    expect(plain.stdout).not.toContain("stopped tasks");
    const cli = await runCli(["status", "--cluster", "prod", "--service", "worker", "--stopped-tasks"], handle.env());
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain("  stopped tasks:");
    expect(cli.stdout).toMatch(/^ {4}task \w+: EssentialContainerExited: .*its log ends: "RuntimeError: .*\(exit code 3\)"$/m);
    expect(cli.stdout).toContain("      | Traceback (most recent call last):");
  });

  it("without awslogs the failure is as before: no log lines, no log calls (control)", async () => {
    await handle.emulator.addRule({ match: SHA, outcome: "fail", steps: 1, exitCode: 3 });
    const cli = await runCli(["release", "--cluster", "prod", "--service", "worker", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", SHA, "--poll-interval", "1ms"], handle.env());
    expect(cli.code, cli.stderr).toBe(1);
    expect(cli.stderr).not.toContain("log lines of container");
    expect((await handle.emulator.callLog()).filter((e) => e.operation === "GetLogEvents")).toEqual([]);
  });
});
