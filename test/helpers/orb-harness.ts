/**
 * Expands a job of orb/orb.yml the way CircleCI compiles it, and runs its steps here.
 *
 * Expansion: job parameters (given values checked against their types, defaults filled in, unknown
 * or missing ones refused), `<< parameters.x >>` and `<< pipeline.x >>` substituted in every string
 * (a whole-value reference keeps the value's type), `steps` parameters spliced in, the orb's commands
 * expanded inside commands with their own parameters, `when`/`unless` steps decided, the executor
 * resolved, and `\<<` unescaped to `<<` last.
 *
 * Execution: run steps go to their shell exactly as CircleCI hands them over — the default
 * `/bin/bash -eo pipefail -c "<command>"` (or the step's `shell:`) with the step's `environment:` on
 * top of CircleCI's built-in variables — in a temp HOME and working directory, with `$BASH_ENV`
 * read by bash before every step. `checkout` clones a fixture repository at CIRCLE_SHA1,
 * `setup_remote_docker` is a no-op, `store_test_results`/`store_artifacts` are recorded, and
 * `persist_to_workspace`/`attach_workspace` copy to and from a workspace directory when one is given.
 */
import { spawn } from "node:child_process";
import { appendFileSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { procStat } from "./proc-cpu.js";

/** A YAML value. */
export type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };
export type YamlMap = { [key: string]: Yaml };

/** An orb document (orb/orb.yml parsed). */
export interface Orb {
  readonly commands: Record<string, YamlMap>;
  readonly executors: Record<string, YamlMap>;
  readonly jobs: Record<string, YamlMap>;
  readonly [key: string]: unknown;
}

/** Reads and parses an orb file. */
export async function loadOrb(path: string): Promise<Orb> {
  return parseOrbText(await readFile(path, "utf8")) as Orb;
}

const parsedOrbs: { text: string; value: unknown }[] = [];

/**
 * `parse(text)`, from a copy of an earlier parse of the same text when there is one: the generated
 * orb is about a megabyte (the CLI builds travel inside it) and a worker's test files read it dozens
 * of times. Each caller gets its own copy, free to change. The last few texts are kept.
 */
export function parseOrbText(text: string): unknown {
  let entry = parsedOrbs.find((kept) => kept.text === text);
  if (entry === undefined) {
    entry = { text, value: parse(text) as unknown };
    parsedOrbs.unshift(entry);
    parsedOrbs.splice(4);
  }
  return structuredClone(entry.value);
}

/** One step of an expanded job: a native step with its arguments. */
export type ExpandedStep =
  | { readonly type: "run"; readonly run: RunStep }
  | { readonly type: "checkout" | "setup_remote_docker" | "store_test_results" | "store_artifacts" | "persist_to_workspace" | "attach_workspace" | "add_ssh_keys" | "save_cache" | "restore_cache"; readonly args: YamlMap };

/** A run step, fully expanded. */
export interface RunStep {
  readonly name: string;
  readonly command: string;
  readonly environment: Record<string, string>;
  readonly shell?: string;
  readonly working_directory?: string;
  readonly no_output_timeout?: string;
  readonly when?: string;
}

/** A job after expansion: what CircleCI would run. */
export interface ExpandedJob {
  readonly name: string;
  readonly executor: YamlMap;
  readonly steps: readonly ExpandedStep[];
  /** The job's `environment:` (every step gets it; it overrides the context's variables). */
  readonly environment?: Record<string, string>;
  /** The expanded job as CircleCI's compiled config would hold it (for size checks). */
  readonly yaml: string;
}

/** Values of `<< pipeline.x >>`. */
export type PipelineValues = Record<string, string | number>;

const NATIVE_STEPS = new Set(["run", "checkout", "setup_remote_docker", "store_test_results", "store_artifacts", "persist_to_workspace", "attach_workspace", "add_ssh_keys", "save_cache", "restore_cache"]);
const REFERENCE = /(?<!\\)<<\s*(parameters|pipeline)\.([\w.-]+)\s*>>/g;
const WHOLE_REFERENCE = /^<<\s*(parameters|pipeline)\.([\w.-]+)\s*>>$/;

function isMap(value: unknown): value is YamlMap {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks given arguments against a component's parameter declarations and fills in defaults. */
export function resolveParameters(component: string, declared: YamlMap | undefined, given: YamlMap): YamlMap {
  const values: YamlMap = {};
  const declarations = declared ?? {};
  for (const name of Object.keys(given)) {
    if (!(name in declarations)) throw new Error(`${component}: unknown parameter ${name}`);
  }
  for (const [name, declaration] of Object.entries(declarations)) {
    if (!isMap(declaration)) throw new Error(`${component}: parameter ${name} is not a mapping`);
    const value = name in given ? given[name] : declaration["default"];
    if (value === undefined) throw new Error(`${component}: missing required parameter ${name}`);
    checkType(`${component}: parameter ${name}`, declaration, value as Yaml);
    values[name] = value as Yaml;
  }
  return values;
}

function checkType(where: string, declaration: YamlMap, value: Yaml): void {
  const type = declaration["type"];
  const ok =
    type === "string" ? typeof value === "string"
    : type === "boolean" ? typeof value === "boolean"
    : type === "integer" ? Number.isInteger(value)
    : type === "enum" ? Array.isArray(declaration["enum"]) && (declaration["enum"] as Yaml[]).includes(value)
    : type === "steps" ? Array.isArray(value)
    : type === "executor" ? typeof value === "string" || isMap(value)
    : type === "env_var_name" ? typeof value === "string" && /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(value)
    : false;
  if (!ok) throw new Error(`${where} must be ${String(type)}${type === "enum" ? ` (${(declaration["enum"] as string[]).join(", ")})` : ""}, got ${JSON.stringify(value)}`);
}

/** Replaces parameter and pipeline references in a value; a whole-string reference keeps its type. */
export function substitute(value: Yaml, parameters: YamlMap, pipeline: PipelineValues): Yaml {
  if (typeof value === "string") {
    const lookup = (scope: string, name: string): Yaml => {
      if (scope === "pipeline") {
        if (!(name in pipeline)) throw new Error(`unknown pipeline value pipeline.${name}`);
        return pipeline[name] as Yaml;
      }
      if (!(name in parameters)) throw new Error(`unknown parameter << parameters.${name} >>`);
      return parameters[name] as Yaml;
    };
    const whole = WHOLE_REFERENCE.exec(value);
    if (whole) return lookup(whole[1] as string, whole[2] as string);
    return value.replace(REFERENCE, (_match, scope: string, name: string) => {
      const found = lookup(scope, name);
      if (typeof found === "object" && found !== null) throw new Error(`parameter ${name} is not a scalar and cannot be part of a string`);
      return String(found);
    });
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, parameters, pipeline));
  if (isMap(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, parameters, pipeline)]));
  return value;
}

function unescape(value: Yaml): Yaml {
  if (typeof value === "string") return value.replace(/\\<</g, "<<");
  if (Array.isArray(value)) return value.map(unescape);
  if (isMap(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, unescape(item)]));
  return value;
}

/** CircleCI's truthiness for `when`/`unless` conditions (steps and workflows), with the logic statements. */
export function evaluateCondition(condition: Yaml): boolean {
  if (isMap(condition)) {
    const [key, operand] = Object.entries(condition)[0] ?? [];
    const list = Array.isArray(operand) ? operand : [];
    switch (key) {
      case "equal":
        return list.every((item) => JSON.stringify(item) === JSON.stringify(list[0]));
      case "and":
        return list.every(evaluateCondition);
      case "or":
        return list.some(evaluateCondition);
      case "not":
        return !evaluateCondition(operand as Yaml);
      case "matches": {
        const spec = operand as YamlMap;
        return new RegExp(`^(?:${String(spec["pattern"])})$`).test(String(spec["value"]));
      }
      default:
        throw new Error(`unknown logic statement ${String(key)}`);
    }
  }
  return !(condition === false || condition === null || condition === 0 || condition === "");
}

/** Expands a list of (already substituted) steps in the scope of an orb. */
function expandSteps(orb: Orb, steps: Yaml, pipeline: PipelineValues, depth: number): ExpandedStep[] {
  if (depth > 20) throw new Error("commands nest too deep (a command that calls itself?)");
  if (!Array.isArray(steps)) throw new Error(`steps must be a list, got ${JSON.stringify(steps)}`);
  const expanded: ExpandedStep[] = [];
  for (const step of steps) {
    // A steps parameter substituted in place is a list inside the list: splice it.
    if (Array.isArray(step)) {
      expanded.push(...expandSteps(orb, step, pipeline, depth));
      continue;
    }
    const [name, args] = typeof step === "string" ? [step, {} as Yaml] : isMap(step) && Object.keys(step).length === 1 ? (Object.entries(step)[0] as [string, Yaml]) : ["", null];
    if (!name) throw new Error(`a step must be a name or a mapping with one key, got ${JSON.stringify(step)}`);
    if (name === "when" || name === "unless") {
      const body = args as YamlMap;
      const truthy = evaluateCondition(body["condition"] as Yaml);
      if (truthy === (name === "when")) expanded.push(...expandSteps(orb, body["steps"] as Yaml, pipeline, depth));
      continue;
    }
    // `- steps: << parameters.x >>`: the documented form of a steps parameter (its value substituted in place).
    if (name === "steps") {
      expanded.push(...expandSteps(orb, args, pipeline, depth));
      continue;
    }
    if (name === "run") {
      expanded.push({ type: "run", run: runStep(args) });
      continue;
    }
    if (NATIVE_STEPS.has(name)) {
      expanded.push({ type: name as Exclude<ExpandedStep["type"], "run">, args: isMap(args) ? args : {} });
      continue;
    }
    const command = orb.commands[name.replace(/^[\w-]+\//, "")];
    if (!command) throw new Error(`unknown command ${name}`);
    const parameters = resolveParameters(`command ${name}`, command["parameters"] as YamlMap | undefined, isMap(args) ? args : {});
    const body = substitute(command["steps"] as Yaml, parameters, pipeline);
    expanded.push(...expandSteps(orb, body, pipeline, depth + 1));
  }
  return expanded;
}

function runStep(args: Yaml): RunStep {
  if (typeof args === "string") return { name: args, command: args, environment: {} };
  if (!isMap(args) || typeof args["command"] !== "string") throw new Error(`run needs a command: ${JSON.stringify(args)}`);
  const environment: Record<string, string> = {};
  for (const [key, value] of Object.entries(isMap(args["environment"]) ? args["environment"] : {})) environment[key] = String(value);
  const step: RunStep = {
    name: typeof args["name"] === "string" ? args["name"] : args["command"],
    command: args["command"],
    environment,
    ...(typeof args["shell"] === "string" ? { shell: args["shell"] } : {}),
    ...(typeof args["working_directory"] === "string" ? { working_directory: args["working_directory"] } : {}),
    ...(args["no_output_timeout"] !== undefined ? { no_output_timeout: String(args["no_output_timeout"]) } : {}),
    ...(typeof args["when"] === "string" ? { when: args["when"] } : {}),
  };
  return step;
}

function expandExecutor(orb: Orb, reference: Yaml, pipeline: PipelineValues): YamlMap {
  const [name, args] = typeof reference === "string" ? [reference, {} as YamlMap] : isMap(reference) ? [String(reference["name"]), Object.fromEntries(Object.entries(reference).filter(([key]) => key !== "name"))] : ["", {}];
  const executor = orb.executors[name.replace(/^[\w-]+\//, "")];
  if (!executor) throw new Error(`unknown executor ${JSON.stringify(reference)}`);
  const parameters = resolveParameters(`executor ${name}`, executor["parameters"] as YamlMap | undefined, args);
  const body = Object.fromEntries(Object.entries(executor).filter(([key]) => key !== "parameters" && key !== "description"));
  return substitute(body, parameters, pipeline) as YamlMap;
}

/** The pipeline values the harness uses unless told otherwise. */
export const DEFAULT_PIPELINE: PipelineValues = {
  number: 42,
  id: "5034460f-c7c4-4c43-9457-de07e2029e7b",
  "project.slug": "gh/acme/shop",
  "git.branch": "main",
  "git.revision": "0000000000000000000000000000000000000000",
};

/**
 * Keys a workflow gives a job besides its parameters. `pre-steps` and `post-steps` run before and
 * after the job's own steps (in the workflow's scope: no job parameters); the others only schedule
 * the job and change nothing in it. `matrix` is not modelled.
 */
const WORKFLOW_KEYS = new Set(["name", "requires", "context", "filters", "serial-group", "pre-steps", "post-steps"]);

const INLINE_EXECUTOR_KEYS = new Set(["docker", "machine", "macos", "resource_class", "environment", "working_directory", "shell"]);

/** Expands job `name` of the orb with the arguments a workflow would give it (workflow keys included). */
export function expandJob(orb: Orb, name: string, args: YamlMap, pipeline: PipelineValues = DEFAULT_PIPELINE): ExpandedJob {
  const job = orb.jobs[name];
  if (!job) throw new Error(`unknown job ${name}`);
  if ("matrix" in args) throw new Error(`job ${name}: matrix is not modelled by the harness`);
  const given = Object.fromEntries(Object.entries(args).filter(([key]) => !WORKFLOW_KEYS.has(key)));
  const parameters = resolveParameters(`job ${name}`, job["parameters"] as YamlMap | undefined, given);
  const body = substitute(Object.fromEntries(Object.entries(job).filter(([key]) => key !== "parameters" && key !== "description")), parameters, pipeline) as YamlMap;
  // A job of the project's own config may name its executor inline (docker, machine, ...), as
  // https://circleci.com/docs/configuration-reference/#jobs allows; an orb job names one.
  const inline = Object.fromEntries(Object.entries(body).filter(([key]) => INLINE_EXECUTOR_KEYS.has(key)));
  const executor = unescape(body["executor"] === undefined && Object.keys(inline).length > 0 ? inline : expandExecutor(orb, body["executor"] as Yaml, pipeline)) as YamlMap;
  const around = (key: "pre-steps" | "post-steps"): Yaml[] => (args[key] === undefined ? [] : [args[key] as Yaml]);
  const allSteps: Yaml = [...around("pre-steps"), body["steps"] as Yaml, ...around("post-steps")];
  const steps = expandSteps(orb, allSteps, pipeline, 0).map((step) => unescape(step as unknown as Yaml) as unknown as ExpandedStep);
  const environment: Record<string, string> = {};
  for (const [key, value] of Object.entries(isMap(body["environment"]) ? (unescape(body["environment"]) as YamlMap) : {})) environment[key] = String(value);
  const compiled = { ...executor, ...(Object.keys(environment).length > 0 ? { environment } : {}), steps: steps.map((step) => (step.type === "run" ? { run: step.run } : { [step.type]: step.args })) };
  let yaml: string | undefined;
  return {
    name,
    executor,
    steps,
    environment,
    // Written when asked for (the size checks): most runs of a job never read it.
    get yaml(): string {
      yaml ??= stringify({ [name]: compiled }, { lineWidth: 0 });
      return yaml;
    },
  };
}

/** What running a job here produced. */
export interface JobRun {
  /** 0 when every step succeeded, else the failing step's exit code. */
  readonly code: number;
  readonly steps: readonly { name: string; code: number; output: string }[];
  /** Output of every step, in order. */
  readonly output: string;
  readonly home: string;
  readonly workingDirectory: string;
  /** The job's $BASH_ENV file (what steps exported for the steps after them). */
  readonly bashEnv: string;
  /** Paths given to store_test_results / store_artifacts. */
  readonly stored: readonly string[];
  /** The store_artifacts steps that ran: the path (relative to the working directory) and its destination. */
  readonly artifacts: readonly { path: string; destination: string }[];
}

/** How to run an expanded job. */
export interface RunJobOptions {
  /** A git repository that `checkout` clones. */
  readonly repository?: string;
  /** Variables on top of CircleCI's built-in ones (AWS endpoint, credentials, ...). */
  readonly env?: Record<string, string>;
  /** Built-in values to override (CIRCLE_SHA1, ...). */
  readonly circle?: Record<string, string>;
  /** Directories put in front of PATH (e.g. a recorder standing in for a tool). */
  readonly path?: readonly string[];
  /**
   * The workflow's workspace, a directory shared by the jobs run with it: `persist_to_workspace` copies
   * `root`/`paths` into it, `attach_workspace` copies it to `at`. Without it both are only recorded.
   */
  readonly workspace?: string;
  /**
   * Runs persist_to_workspace / attach_workspace instead of {@link workspace} (the workflow runner's
   * layered workspaces): gets the step's arguments and a resolver from a step path to a local path.
   */
  readonly workspaceStep?: (type: "persist_to_workspace" | "attach_workspace", args: YamlMap, resolvePath: (path: string) => string) => Promise<{ code: number; output: string }>;
}

/** CircleCI's built-in variables for a job run here. */
export function circleEnvironment(job: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    CI: "true",
    CIRCLECI: "true",
    CIRCLE_BRANCH: "main",
    CIRCLE_BUILD_NUM: "1234",
    CIRCLE_BUILD_URL: "https://app.circleci.com/pipelines/gh/acme/shop/42/workflows/w-1/jobs/1234",
    CIRCLE_JOB: job,
    CIRCLE_NODE_INDEX: "0",
    CIRCLE_NODE_TOTAL: "1",
    CIRCLE_PIPELINE_ID: String(DEFAULT_PIPELINE["id"]),
    CIRCLE_PROJECT_REPONAME: "shop",
    CIRCLE_PROJECT_USERNAME: "acme",
    CIRCLE_REPOSITORY_URL: "git@github.com:acme/shop.git",
    CIRCLE_SHA1: "0000000000000000000000000000000000000000",
    CIRCLE_USERNAME: "octocat",
    CIRCLE_WORKFLOW_ID: "w-1",
    CIRCLE_WORKFLOW_JOB_ID: "j-1",
    ...overrides,
  };
}

/**
 * `TEST_STEP_CPU_FILE`: each run step appends one JSON line with the CPU seconds of the processes it
 * started (`npx tsx scripts/cpu-per-file.ts --steps FILE` sums them by step; docs/performance.md). The
 * workflow runner runs jobs one after another and a worker one test at a time, so the children waited
 * for meanwhile are the step's.
 */
const STEP_CPU_FILE = process.env["TEST_STEP_CPU_FILE"] || undefined;

function spawnStep(argv: readonly string[], env: Record<string, string>, cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => resolveRun({ code: code ?? (signal ? 128 : 1), output }));
  });
}

/**
 * persist_to_workspace (`root`, relative `paths`) and attach_workspace (`at`), as
 * https://circleci.com/docs/workspaces/ describes them: a path to persist that does not exist fails the step.
 */
async function workspaceStep(type: "persist_to_workspace" | "attach_workspace", args: YamlMap, workspace: string, resolvePath: (path: string) => string): Promise<{ code: number; output: string }> {
  try {
    if (type === "attach_workspace") {
      await mkdir(workspace, { recursive: true });
      await cp(workspace, resolvePath(String(args["at"])), { recursive: true });
      return { code: 0, output: `attached the workspace at ${String(args["at"])}\n` };
    }
    const root = resolvePath(String(args["root"]));
    for (const path of Array.isArray(args["paths"]) ? args["paths"] : []) {
      await mkdir(dirname(join(workspace, String(path))), { recursive: true });
      await cp(join(root, String(path)), join(workspace, String(path)), { recursive: true });
    }
    return { code: 0, output: "persisted to the workspace\n" };
  } catch (error) {
    return { code: 1, output: `${type} failed: ${error instanceof Error ? error.message : String(error)}\n` };
  }
}

/** Runs an expanded job's steps in order, stopping at the first failure (like CircleCI). */
export async function runJob(job: ExpandedJob, options: RunJobOptions = {}): Promise<JobRun> {
  const root = await mkdtemp(join(tmpdir(), `orb-job-${job.name}-`));
  const home = join(root, "home");
  const workingDirectory = join(home, "project");
  await mkdir(workingDirectory, { recursive: true });
  const bashEnv = join(root, "bash-env");
  await writeFile(bashEnv, "");
  const circle = circleEnvironment(job.name, options.circle);
  const baseEnv: Record<string, string> = {
    PATH: [...(options.path ?? []), process.env["PATH"] ?? "/usr/bin:/bin"].join(":"),
    HOME: home,
    USER: "circleci",
    BASH_ENV: bashEnv,
    CIRCLE_WORKING_DIRECTORY: workingDirectory,
    ...circle,
    ...options.env,
    // The job's environment overrides the context's (CircleCI's order of precedence:
    // https://circleci.com/docs/env-vars/#order-of-precedence).
    ...job.environment,
  };
  const steps: { name: string; code: number; output: string }[] = [];
  const stored: string[] = [];
  const artifacts: { path: string; destination: string }[] = [];
  let code = 0;
  for (const step of job.steps) {
    let result: { code: number; output: string };
    let name: string;
    if (step.type === "run") {
      name = step.run.name;
      const shell = (step.run.shell ?? "/bin/bash -eo pipefail").split(/\s+/).filter(Boolean);
      const cwd = step.run.working_directory ? resolve(workingDirectory, step.run.working_directory.replace(/^~/, home)) : workingDirectory;
      await mkdir(cwd, { recursive: true });
      const cpuBefore = STEP_CPU_FILE === undefined ? 0 : procStat("self").children;
      result = await spawnStep([...shell, "-c", step.run.command], { ...baseEnv, ...step.run.environment }, cwd);
      if (STEP_CPU_FILE !== undefined) appendFileSync(STEP_CPU_FILE, `${JSON.stringify({ job: job.name, step: name, cpu: Math.round((procStat("self").children - cpuBefore) * 100) / 100 })}\n`);
    } else if (step.type === "checkout") {
      name = "Checkout code";
      if (!options.repository) throw new Error("the job checks out code: pass a fixture repository");
      const path = typeof step.args["path"] === "string" ? resolve(workingDirectory, step.args["path"]) : workingDirectory;
      result = await spawnStep(["/bin/sh", "-c", 'git clone -q "$0" "$1" && git -C "$1" checkout -q "$2"', options.repository, path, circle["CIRCLE_SHA1"] as string], baseEnv, root);
    } else if ((step.type === "persist_to_workspace" || step.type === "attach_workspace") && (options.workspace !== undefined || options.workspaceStep !== undefined)) {
      name = step.type;
      const resolvePath = (path: string): string => resolve(workingDirectory, path.replace(/^~(?=$|\/)/, home));
      result = options.workspaceStep ? await options.workspaceStep(step.type, step.args, resolvePath) : await workspaceStep(step.type, step.args, options.workspace as string, resolvePath);
    } else {
      name = step.type;
      if (step.type === "store_test_results" || step.type === "store_artifacts") stored.push(String(step.args["path"]));
      if (step.type === "store_artifacts") artifacts.push({ path: String(step.args["path"]), destination: String(step.args["destination"] ?? step.args["path"]) });
      result = { code: 0, output: "" };
    }
    steps.push({ name, code: result.code, output: result.output });
    if (result.code !== 0) {
      code = result.code;
      break;
    }
  }
  return { code, steps, output: steps.map((s) => `== ${s.name}\n${s.output}`).join("\n"), home, workingDirectory, bashEnv, stored, artifacts };
}
