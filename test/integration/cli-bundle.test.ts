import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import packageJson from "../../package.json" with { type: "json" };
import { BUNDLE, runCli } from "../helpers/cli.js";
import { spawnSync } from "node:child_process";

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
    [["deploy"], /unknown command "deploy": use one of push, release/],
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
