/**
 * The orb's install step, executed as generated (issue 14, item 10): unpacking the CLI never writes
 * through a symlink planted at the CLI's path (a temporary file in the target directory, then a
 * rename) and refuses a target directory that is a symlink, belongs to another user or is writable
 * by others — with one line, before anything is written.
 */
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { expandJob, loadOrb, runJob, type ExpandedJob, type Orb } from "../helpers/orb-harness.js";
import { MINIMAL_ARGS } from "./job-args.js";
import { ORB_FILE } from "./orb-files.js";

let orb: Orb;
beforeAll(async () => {
  orb = await loadOrb(ORB_FILE);
});

/** A step that plants something in the job's HOME, then the rollback job's install step. */
function installAfter(plant: string): ExpandedJob {
  const job = expandJob(orb, "rollback", MINIMAL_ARGS["rollback"] as never);
  const install = job.steps[0];
  if (install?.type !== "run" || !install.run.command.includes("ORB_UNPACK_SCRIPT")) throw new Error("the rollback job no longer starts with the install step");
  return { ...job, steps: [{ type: "run", run: { name: "Plant", command: plant, environment: {} } }, install] };
}

describe("install: unpacking the CLI", () => {
  it("replaces a symlink planted at the CLI's path instead of writing through it", async () => {
    const outside = mkdtempSync(join(tmpdir(), "unpack-victim-"));
    const victim = join(outside, "victim");
    writeFileSync(victim, "untouched\n");
    const run = await runJob(installAfter(`mkdir -p ~/.ecs-release/bin && ln -s '${victim}' ~/.ecs-release/bin/ecs-release`));
    expect(run.code, run.output).toBe(0);
    expect(readFileSync(victim, "utf8")).toBe("untouched\n");
    const cli = join(run.home, ".ecs-release", "bin", "ecs-release");
    expect(lstatSync(cli).isFile()).toBe(true);
    expect(lstatSync(cli).mode & 0o777).toBe(0o755);
    // No temporary file is left behind.
    expect(readdirSync(join(run.home, ".ecs-release", "bin"))).toEqual(["ecs-release"]);
  });

  it("refuses a target directory that is a symlink, and writes nothing there", async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), "unpack-elsewhere-"));
    const run = await runJob(installAfter(`mkdir -p ~/.ecs-release && ln -s '${elsewhere}' ~/.ecs-release/bin`));
    expect(run.code).toBe(1);
    expect(run.steps.at(-1)?.output.trim()).toMatch(/^Refusing to install ecs-release: \S+\/\.ecs-release\/bin is a symbolic link\. /);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it("refuses a target directory other users may write to", async () => {
    const run = await runJob(installAfter("mkdir -p ~/.ecs-release/bin && chmod 777 ~/.ecs-release/bin"));
    expect(run.code).toBe(1);
    expect(run.steps.at(-1)?.output.trim()).toMatch(/\/\.ecs-release\/bin is writable by other users \(mode 777\)\. Remove it, or let the job's user own it with mode 700\.$/);
    expect(readdirSync(join(run.home, ".ecs-release", "bin"))).toEqual([]);
  });

  it("refuses a Node.js older than the CLI needs, before writing anything", async () => {
    // A `node` on PATH that is this Node.js saying it is 18 (the unpack script runs on the executor's node).
    const bin = mkdtempSync(join(tmpdir(), "unpack-old-node-"));
    writeFileSync(join(bin, "say-18.cjs"), 'Object.defineProperty(process, "version", { value: "v18.20.4" }); Object.defineProperty(process.versions, "node", { value: "18.20.4" });\n');
    writeFileSync(join(bin, "node"), `#!/bin/sh\nexec '${process.execPath}' --require '${join(bin, "say-18.cjs")}' "$@"\n`, { mode: 0o755 });
    const run = await runJob(installAfter("true"), { path: [bin] });
    expect(run.code).toBe(1);
    expect(run.steps.at(-1)?.output.trim()).toBe("ecs-release needs Node.js 20 or later; this executor has v18.20.4. Use the orb's node executor, or a cimg/node image of 20 or later.");
    expect(readdirSync(run.home)).not.toContain(".ecs-release");
    // Positive control: the same job with this machine's node installs.
    const control = await runJob(installAfter("true"));
    expect(control.code, control.output).toBe(0);
    expect(readdirSync(control.home)).toContain(".ecs-release");
  });

  // Giving a directory to another user needs root (this machine's CI runs as root; CircleCI's VM user does not).
  it.skipIf(process.getuid?.() !== 0)("refuses a target directory that belongs to another user (needs root to set up)", async () => {
    const job = installAfter("true");
    const run0 = await runJob({ ...job, steps: [] });
    const base = join(run0.home, ".ecs-release");
    // Plant with another owner, then run the install step in that HOME.
    mkdirSync(base, { mode: 0o700 });
    chownSync(base, 65534, 65534);
    chmodSync(base, 0o700);
    const run = await runJob({ ...job, steps: job.steps.slice(1) }, { env: { HOME: run0.home } });
    expect(run.code).toBe(1);
    expect(run.steps.at(-1)?.output.trim()).toMatch(/\/\.ecs-release belongs to uid 65534, not to this job's user \(uid 0\)/);
    expect(readdirSync(base)).toEqual([]);
  });
});
