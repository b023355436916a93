/**
 * The CLI builds the orb carries (src/orb/cli-builds.ts), unpacked from orb/orb.yml itself: each orb job
 * installs the build with only its own command, and that build leaves out what the command never
 * needs — build (push) no SSM, ECS or YAML; rollback no SSM or YAML — and every build leaves out
 * browser-only code. Each job stays within the config budget (expand.test.ts, examples.test.ts).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { CLI_BUILD_COMMANDS, CLI_BUILDS } from "../../src/orb/cli-builds.js";
import { decodeBase85 } from "../../src/orb/embed.js";
import { expandJob, type RunStep } from "../helpers/orb-harness.js";
import { MINIMAL_ARGS } from "./job-args.js";
import { readOrb } from "./orb-files.js";

/** Text only a part of the code has: the SSM client (its JSON target), the yaml parser, bowser's browser list. */
const MARKERS = { ssm: "AmazonSSM", ecs: "AmazonEC2ContainerServiceV20141113", ecr: "AmazonEC2ContainerRegistry", yaml: "YAMLParseError", browser: "Opera Touch" } as const;

type Build = (typeof CLI_BUILDS)[number];

/** A build as the orb's install command carries it: its `when` step's packed parts, decompressed. */
function unpacked(build: Build): { bytes: Buffer; sha256: string; version: string | undefined } {
  const steps = readOrb().commands["install"]?.["steps"] as { when: { condition: { equal: unknown[] }; steps: { run: { environment: Record<string, string> } }[] } }[];
  const step = steps.find((candidate) => candidate.when.condition.equal[0] === build);
  if (!step) throw new Error(`the install command has no step for the ${build} build`);
  const environment = step.when.steps[0]?.run.environment ?? {};
  const parts = Object.keys(environment).filter((name) => /^ORB_PACKED_\d+$/.test(name)).sort((a, b) => Number(a.slice(11)) - Number(b.slice(11)));
  const bytes = brotliDecompressSync(decodeBase85(parts.map((name) => environment[name]).join("")));
  expect(createHash("sha256").update(bytes).digest("hex"), `${build}: the orb's SHA-256`).toBe(environment["ORB_SHA256"]);
  return { bytes, sha256: environment["ORB_SHA256"] as string, version: environment["ORB_CLI_VERSION"] };
}

function read(build: Build): string {
  return unpacked(build).bytes.toString("utf8");
}

function contains(text: string): Record<keyof typeof MARKERS, boolean> {
  return Object.fromEntries(Object.entries(MARKERS).map(([part, marker]) => [part, text.includes(marker)])) as Record<keyof typeof MARKERS, boolean>;
}

describe("the CLI builds in the orb", () => {
  it("each job build carries only what its command needs; none carries browser-only code", () => {
    expect(contains(read("push"))).toEqual({ ssm: false, ecs: false, ecr: true, yaml: false, browser: false });
    // rollback reads ECR (DescribeImages: the target's images still exist) but never SSM.
    expect(contains(read("rollback"))).toEqual({ ssm: false, ecs: true, ecr: true, yaml: false, browser: false });
    expect(contains(read("release"))).toEqual({ ssm: true, ecs: true, ecr: true, yaml: true, browser: false });
  });

  // The install step prints ORB_CLI_VERSION instead of running the CLI it unpacked (src/orb/scripts/unpack-cli.js).
  it("the version each install step prints is the one its build's --version prints", () => {
    const dir = mkdtempSync(join(tmpdir(), "cli-version-"));
    for (const build of CLI_BUILDS) {
      const { bytes, version } = unpacked(build);
      const file = join(dir, `ecs-release-${build}.cjs`);
      writeFileSync(file, bytes);
      expect(version, build).toMatch(/^\d+\.\d+\.\d+/);
      expect(execFileSync(process.execPath, [file, "--version"], { encoding: "utf8" }).trim(), build).toBe(version);
    }
  });

  for (const [build, commands] of Object.entries(CLI_BUILD_COMMANDS)) {
    it(`${build}: runs on this Node.js and offers exactly its commands (${commands.join(", ")})`, () => {
      const file = join(mkdtempSync(join(tmpdir(), "cli-build-")), `ecs-release-${build}.cjs`);
      writeFileSync(file, unpacked(build as Build).bytes);
      const help = execFileSync(process.execPath, [file, "--help"], { encoding: "utf8" });
      const listed = help.slice(help.indexOf("Commands:"), help.indexOf("\n\n", help.indexOf("Commands:"))).split("\n").slice(1).filter((line) => /^ {2}\S/.test(line)).map((line) => line.trim().split(/\s+/)[0]);
      expect(listed).toEqual([...commands]);
    });
  }

  // scripts/build.ts: a build's chunks but the entry wait as strings until the first require of them, so
  // --version and --help compile no code of the AWS SDK or yaml (only the CLI's own shared modules).
  it("every build answers --version and --help without compiling the AWS SDK or yaml; a command compiles them", () => {
    const dir = mkdtempSync(join(tmpdir(), "cli-chunks-"));
    const preload = join(dir, "compiled-code.cjs");
    writeFileSync(
      preload,
      // The job builds compile with vm.compileFunction; the full build through its compile cache, with vm.Script.
      'const vm = require("node:vm"); const compile = vm.compileFunction; const Script = vm.Script; let code = "";' +
        "vm.compileFunction = function (text) { code += text; return compile.apply(this, arguments); };" +
        "vm.Script = class extends Script { constructor(text, options) { super(text, options); code += text; } };" +
        'process.on("exit", () => require("node:fs").writeFileSync(process.env.COMPILED_CODE, code));',
    );
    const compiled = (file: string, args: string[]): Record<keyof typeof MARKERS | "sdk", boolean> => {
      const out = join(dir, "compiled.txt");
      spawnSync(process.execPath, ["--require", preload, file, ...args], { encoding: "utf8", env: { PATH: process.env["PATH"], HOME: dir, NO_COLOR: "1", AWS_EC2_METADATA_DISABLED: "true", COMPILED_CODE: out } });
      const code = readFileSync(out, "utf8");
      // "aws.auth#sigv4": the SigV4 auth scheme id of the SDK's core, which every client loads.
      return { ...contains(code), sdk: code.includes("aws.auth#sigv4") };
    };
    const none = { ssm: false, ecs: false, ecr: false, yaml: false, browser: false, sdk: false };
    for (const build of CLI_BUILDS) {
      const file = join(dir, `ecs-release-${build}.cjs`);
      writeFileSync(file, unpacked(build).bytes);
      expect(compiled(file, ["--version"]), `${build} --version`).toEqual(none);
      expect(compiled(file, ["--help"]), `${build} --help`).toEqual(none);
    }
    // Positive control: a release that reaches its AWS clients (the default credential chain finds none here: exit 1) compiles them.
    const release = ["release", "--cluster", "c", "--service", "web", "--ssm-path", "/a", "--repository", "r", "--sha", "a".repeat(40), "--region", "eu-west-1"];
    for (const build of ["release", "full"] as const) expect(compiled(join(dir, `ecs-release-${build}.cjs`), release), build).toMatchObject({ sdk: true, ssm: true, ecs: true });
  });

  it("every orb job that runs the CLI installs the build that has the command it runs", () => {
    const orb = readOrb();
    for (const name of Object.keys(orb.jobs)) {
      const job = expandJob(orb, name, MINIMAL_ARGS[name] as never);
      const runs = job.steps.flatMap((step) => (step.type === "run" ? [step.run] : []));
      const cli = runs.flatMap((run: RunStep) => /^ecs-release ([a-z-]+)/.exec(run.command)?.[1] ?? []);
      const installs = runs.filter((run) => run.command === 'node -e "$ORB_UNPACK_SCRIPT"');
      if (cli.length === 0) {
        expect(installs, name).toHaveLength(0);
        continue;
      }
      // One build per job (CircleCI keeps only the `when` branch that holds), with every command the job runs.
      expect(installs, name).toHaveLength(1);
      const build = CLI_BUILDS.find((candidate) => installs[0]?.environment["ORB_SHA256"] === sha256Of(candidate));
      expect(build, `${name} installs a build the orb was made from`).toBeDefined();
      const offered = build === "full" || build === undefined ? ["*"] : CLI_BUILD_COMMANDS[build];
      for (const command of cli) expect(offered.includes("*") || offered.includes(command), `${name} runs ${command} with the ${build} build`).toBe(true);
      expect(build, `${name} should install a job build, not the full CLI`).not.toBe("full");
    }
  });

  it("the install command gives users' own jobs the full CLI unless told otherwise", () => {
    const orb = readOrb();
    const install = orb.commands["install"] as { parameters: Record<string, { default?: unknown; enum?: unknown }> };
    expect(install.parameters["cli"]).toMatchObject({ default: "full", enum: [...CLI_BUILDS] });
  });
});

function sha256Of(build: Build): string {
  return unpacked(build).sha256;
}
