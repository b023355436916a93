import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import packageJson from "../../package.json" with { type: "json" };
import { spawnSync } from "node:child_process";
import { BUNDLE, runCli } from "../helpers/cli.js";
import { awsClients, useEmulator } from "../helpers/emulator.js";
import { SEED_SHAS, seedPlatform } from "../helpers/seed.js";

const handle = useEmulator();

// The bundle must run on its own: copy it where no node_modules can be found and run it there.
const lonely = mkdtempSync(join(tmpdir(), "ecs-release-bundle-"));
const copy = join(lonely, "ecs-release.cjs");
copyFileSync(BUNDLE, copy);
afterAll(() => rmSync(lonely, { recursive: true, force: true }));

function runCopy(args: string[]) {
  return spawnSync(process.execPath, [copy, ...args], { cwd: lonely, env: { PATH: process.env["PATH"], NO_COLOR: "1" }, encoding: "utf8" });
}

describe("the bundle, with no node_modules in reach", () => {
  it("prints the package version", () => {
    const run = runCopy(["--version"]);
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(packageJson.version);
  });

  it("names every command of the contract in --help", () => {
    const run = runCopy(["--help"]);
    expect(run.status).toBe(0);
    for (const command of ["push", "release", "rollback", "history", "status", "prune", "run-task"]) {
      expect(run.stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    }
  });

  it("answers --help for each command with an example", () => {
    for (const command of ["push", "release", "rollback", "history", "status", "prune", "run-task"]) {
      const run = runCopy([command, "--help"]);
      expect(run.status, command).toBe(0);
      expect(run.stdout, command).toContain(`Usage: ecs-release ${command}`);
      expect(run.stdout, command).toMatch(/Examples?:\n  ecs-release /);
    }
  });
});

describe("usage errors", () => {
  it.each<[string[], RegExp]>([
    [["deploy"], /unknown command "deploy": use one of push, verify, release/],
    [["release", "--cluster", "c"], /missing required flags: --service .*--ssm-path/],
    [["rollback", "--cluster", "c", "--service", "web", "--timeout", "later"], /--timeout "later" is not a duration/],
  ])("%j exits 2 with one line", async (args, message) => {
    const run = await runCli(args, {}, { bundle: true });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  });

  it("prints a JSON error document under --json", async () => {
    const run = await runCli(["release", "--json"], {}, { bundle: true });
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { name: "ValidationError", exitCode: 2 } });
  });
});

// The other integration suites run the CLI in-process from the sources (test/helpers/cli.ts): this
// one runs the built bundle against the emulator, so the bundled AWS SDK, its endpoint and credential
// resolution from the process environment, and the lazily imported command modules are checked too.
describe("the bundle against the emulator", () => {
  it("releases, then reads the history and the status, with the environment of a real process", async () => {
    await handle.emulator.reset();
    await seedPlatform(awsClients(handle.emulator));
    const release = await runCli(["release", "--cluster", "prod", "--service", "web", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", SEED_SHAS[1], "--poll-interval", "10ms", "--json"], handle.env(), { bundle: true });
    expect(release.code, release.stderr).toBe(0);
    expect(JSON.parse(release.stdout)).toMatchObject({ services: [{ service: "web", outcome: "completed" }] });
    const history = await runCli(["history", "--cluster", "prod", "--service", "web", "--json"], handle.env(), { bundle: true });
    expect(history.code, history.stderr).toBe(0);
    expect(JSON.parse(history.stdout)).toMatchObject({ revisions: [{ revision: 2, sha: SEED_SHAS[1], outcome: "stable", live: true }, { revision: 1 }] });
    const status = await runCli(["status", "--cluster", "prod", "--service", "web"], handle.env(), { bundle: true });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/web:2/);
  });
});
