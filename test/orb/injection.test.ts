/**
 * Every string parameter of every job, set to a value full of shell syntax — `$(touch …)`, backticks,
 * both quote kinds, a newline, `;` and `$HOME` — reaches the CLI verbatim and executes nothing.
 * The job is expanded and its steps run exactly as CircleCI runs them (bash -eo pipefail -c, the
 * step's environment), with a recorder standing in for `ecs-release` that writes down its argv and
 * its ECS_RELEASE_* variables.
 */
import { chmod, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { expandJob, loadOrb, runJob, type Orb, type RunStep } from "../helpers/orb-harness.js";
import { MINIMAL_ARGS } from "./job-args.js";
import { createFixtureRepository, type FixtureRepository } from "./fixture-repo.js";
import { ORB_FILE } from "./orb-files.js";

let orb: Orb;
let markers: string;
let recorderDir: string;
let repo: FixtureRepository;

/** A hostile value for parameter `name`; any command it managed to run would leave a file in `markers`. */
function payload(name: string): string {
  return `${name} $(touch ${markers}/dollar-${name}) \`touch ${markers}/tick-${name}\` 'single' "double" ; touch ${markers}/semi-${name}\nsecond line $(touch /tmp/pwned) $HOME \\<< parameters.${name} >>`;
}

/** The value as CircleCI hands it over: the payload with its escaped `\<<` unescaped. */
function delivered(name: string): string {
  return payload(name).replace("\\<<", "<<");
}

/** `<< parameters.x >>` references in a command's CLI step: variable → parameter name. */
function variablesOf(command: string): Record<string, string> {
  const run = ((orb.commands[command]?.["steps"] as Record<string, unknown>[])[0]?.["run"] ?? {}) as { environment?: Record<string, string> };
  const found: Record<string, string> = {};
  for (const [variable, value] of Object.entries(run.environment ?? {})) {
    const match = /^<< parameters\.(\w+) >>$/.exec(value);
    if (match) found[variable] = match[1] as string;
  }
  return found;
}

function stringParameters(job: string): string[] {
  const declared = orb.jobs[job]?.["parameters"] as Record<string, { type: string }>;
  return Object.entries(declared).filter(([, declaration]) => declaration.type === "string").map(([name]) => name);
}

beforeAll(async () => {
  orb = await loadOrb(ORB_FILE);
  markers = await mkdtemp(join(tmpdir(), "orb-injection-markers-"));
  recorderDir = await mkdtemp(join(tmpdir(), "orb-injection-bin-"));
  repo = await createFixtureRepository();
  // Stands in for the CLI: records what it was given, then succeeds.
  await writeFile(
    join(recorderDir, "ecs-release"),
    `#!/usr/bin/env node
const fs = require("node:fs");
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("ECS_RELEASE_") || k.startsWith("AWS_")));
fs.appendFileSync(${JSON.stringify(join(recorderDir, "calls.jsonl"))}, JSON.stringify({ argv: process.argv.slice(2), env }) + "\\n");
`,
  );
  await chmod(join(recorderDir, "ecs-release"), 0o755);
});

async function recordedCalls(): Promise<{ argv: string[]; env: Record<string, string> }[]> {
  const text = existsSync(join(recorderDir, "calls.jsonl")) ? await readFile(join(recorderDir, "calls.jsonl"), "utf8") : "";
  await writeFile(join(recorderDir, "calls.jsonl"), "");
  return text.split("\n").filter(Boolean).map((line) => JSON.parse(line) as { argv: string[]; env: Record<string, string> });
}

describe("parameters with shell syntax reach the CLI verbatim and run nothing", () => {
  for (const [job, verb] of [["build", "push"], ["release", "release"], ["rollback", "rollback"]] as const) {
    it(`${job}: every string parameter`, async () => {
      const names = stringParameters(job);
      expect(names.length).toBeGreaterThan(3);
      const args: Record<string, unknown> = { ...MINIMAL_ARGS[job], auth: [{ run: { name: "No credentials needed for the recorder", command: "true" } }] };
      for (const name of names) args[name] = payload(name);
      const expanded = expandJob(orb, job, args as never);
      // The recorder replaces the embedded CLI: drop the install step so it stays first on PATH.
      const steps = expanded.steps.filter((step) => !(step.type === "run" && step.run.name.startsWith("Install ecs-release")));
      const run = await runJob({ ...expanded, steps }, { repository: repo.path, circle: { CIRCLE_SHA1: repo.sha }, path: [recorderDir] });
      expect(run.code, run.output).toBe(0);

      const calls = await recordedCalls();
      expect(calls).toHaveLength(1);
      expect(calls[0]?.argv).toEqual([verb]);
      const variables = variablesOf(verb);
      for (const name of names) {
        const variable = Object.entries(variables).find(([, parameter]) => parameter === name)?.[0];
        if (variable === undefined) {
          // Not a CLI flag (the remote Docker version, the executor's image tag and resource class, the
          // step's no_output_timeout): it went to a native step or the executor, as given, never to a shell.
          // The job's role_arn goes to the job's environment (ORB_JOB_ROLE_ARN), which no shell parses.
          expect(JSON.stringify({ steps, executor: expanded.executor, environment: expanded.environment }), name).toContain(JSON.stringify(delivered(name)).slice(1, -1));
          continue;
        }
        expect(calls[0]?.env[variable], `${name} → ${variable}`).toBe(delivered(name));
      }
      expect(await readdir(markers)).toEqual([]);
      expect(existsSync("/tmp/pwned")).toBe(false);
    });
  }

  it("test: the test results path", async () => {
    const args = { ...MINIMAL_ARGS["test"], test_results: payload("test_results") };
    const run = await runJob(expandJob(orb, "test", args as never), { repository: repo.path, circle: { CIRCLE_SHA1: repo.sha } });
    expect(run.code, run.output).toBe(0);
    expect(run.stored).toEqual([delivered("test_results")]);
    expect(await readdir(markers)).toEqual([]);
  });

  it("configure_aws_oidc: role ARN, session name and region are exported for later steps, quoted", async () => {
    const auth = [
      { configure_aws_oidc: { role_arn: payload("role_arn"), role_session_name: payload("role_session_name"), region: payload("region") } },
      { run: { name: "Show what the CLI would see", command: "ecs-release release" } },
    ];
    const expanded = expandJob(orb, "rollback", { ...MINIMAL_ARGS["rollback"], auth } as never);
    const steps = expanded.steps.filter((step) => !(step.type === "run" && step.run.name.startsWith("Install ecs-release")));
    const run = await runJob({ ...expanded, steps }, { path: [recorderDir], env: { CIRCLE_OIDC_TOKEN_V2: "header.payload.signature" } });
    expect(run.code, run.output).toBe(0);
    const calls = await recordedCalls();
    expect(calls).toHaveLength(2);
    const env = calls[0]?.env ?? {};
    expect(env["AWS_ROLE_ARN"]).toBe(delivered("role_arn"));
    expect(env["AWS_REGION"]).toBe(delivered("region"));
    // The session name is cut down to what STS accepts.
    expect(env["AWS_ROLE_SESSION_NAME"]).toMatch(/^[A-Za-z0-9+=,.@_-]{1,64}$/);
    expect(await readFile(env["AWS_WEB_IDENTITY_TOKEN_FILE"] as string, "utf8")).toBe("header.payload.signature");
    expect(await readdir(markers)).toEqual([]);
  });

  it("the recorder and markers would notice an injection (the test can fail)", async () => {
    // The same value pasted into shell text, as an orb that interpolated parameters into `command:` would.
    const unsafe: RunStep = { name: "unsafe", command: `echo ${payload("unsafe")}`, environment: {} };
    await runJob({ name: "unsafe", executor: {}, yaml: "", steps: [{ type: "run", run: unsafe }] });
    expect((await readdir(markers)).sort()).toEqual(["dollar-unsafe", "semi-unsafe", "tick-unsafe"]);
    for (const file of await readdir(markers)) await import("node:fs/promises").then((fs) => fs.rm(join(markers, file)));
  });
});
