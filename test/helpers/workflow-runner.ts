/**
 * A CircleCI stand-in for tests: reads a `.circleci/config.yml` as a user writes it, compiles it into
 * workflows as CircleCI does, and runs them on this machine with the orb harness (orb-harness.ts),
 * against the emulator. Each rule names the CircleCI page it follows, or says it is an assumption
 * (the README's "Not verified" list names those).
 *
 * Compiling (https://circleci.com/docs/configuration-reference/, https://circleci.com/docs/reusing-config/):
 * - `orbs:` aliases resolve against an orb registry when the pipeline is created; the pipeline keeps
 *   that orb for good: a re-run uses its pipeline's config and orb version
 *   (https://support.circleci.com/hc/en-us/articles/25099134384795-Understanding-Orb-Versioning-Behavior-in-CircleCI).
 * - pipeline parameters (declared, typed, defaults), pipeline values `<< pipeline.x >>` substituted
 *   in the workflows before anything else (https://circleci.com/docs/pipeline-variables/);
 * - `when` / `unless` on workflows, with the logic statements (https://circleci.com/docs/configuration-reference/#logic-statements);
 * - `filters` on branches and tags: a value is a string or list, `/…/` is a regular expression that
 *   must match the whole name; a pipeline for a tag runs only jobs with a tags filter that matches
 *   (https://circleci.com/docs/workflows/#executing-workflows-for-a-git-tag). A job whose required job
 *   is filtered out is left out too (assumption: CircleCI's exact handling is not documented).
 * - `requires` as names (the job must succeed) or `{job: status | [statuses]}` with statuses
 *   success, failed, canceled, not_run, unauthorized, or `terminal` for all five (https://circleci.com/docs/configuration-reference/#requires).
 *
 * Running:
 * - jobs in dependency order, each after all it requires is done; a job whose requirement ended in a
 *   status it does not accept is not run (`not_run` here; CircleCI shows it as blocked/not run).
 * - approval jobs (`type: approval`) hold the workflow (`on_hold`) until {@link CircleCi.approve}.
 * - contexts with security groups (https://circleci.com/docs/contexts/#restrict-a-context): a job
 *   using a restricted context runs only when the user who triggered the workflow — or, for jobs after
 *   an approval, the user who approved it — is in one of the context's groups; otherwise the job is
 *   `unauthorized` and nothing after it runs (https://circleci.com/docs/workflows/, "holding a
 *   workflow for a manual approval"). Approving is refused to a user who lacks access to a restricted
 *   context on the approval job itself (CircleCI support, "How to trigger pipelines selectively using an
 *   approval job"); an approval into a later job's restricted context is accepted from any member and that
 *   job ends `unauthorized` (https://circleci.com/docs/contexts/#approve-jobs-that-use-restricted-contexts;
 *   circleci/circleci-docs#4875 reports the click itself refused in 2021; the page still says otherwise).
 * - workspaces (https://circleci.com/docs/workspaces/): additive layers; `attach_workspace` unpacks the
 *   layers of the jobs upstream of the job, in order; a layer is kept 15 days by default. After that an
 *   attach that finds none of its layers fails ("Understanding approval jobs limits and best practices",
 *   support.circleci.com: jobs that depend on the workspace fail after 15 days). A re-run inherits the
 *   workspace of the workflow it re-runs (workspaces page, "workspaces in re-runs"); expired layers of
 *   it are skipped while a fresh one exists (assumption).
 * - serial groups (https://circleci.com/docs/guides/orchestrate/controlling-serial-execution-across-your-organization/):
 *   jobs of one group run one at a time; the runner runs one job at a time anyway, so it records the
 *   order each group ran in ({@link CircleCi.serialLog}). The skip of an older pipeline's queued job
 *   needs two pipelines at once and is not modelled.
 * - `store_artifacts`: the files are kept per job under their destination ({@link CircleCi.artifact}).
 * - the job's OIDC tokens, CIRCLE_OIDC_TOKEN and CIRCLE_OIDC_TOKEN_V2, with the claims of
 *   https://circleci.com/docs/openid-connect-tokens/ (iss, aud = organization id, sub with
 *   vcs-origin/vcs-ref in v2, project-id, context-ids, vcs-origin, vcs-ref, ssh-rerun; exp one hour
 *   after iat); the user in `sub` is the one who caused the job to run. Unsigned: the emulator's STS
 *   checks claims, not signatures. Tokens are issued at the host's time (the emulator's clock).
 * - re-runs (https://circleci.com/docs/guides/orchestrate/workflows/, API v2 `POST /workflow/{id}/rerun`
 *   with `from_failed`, `jobs`, `enable_ssh`): from start (a new workflow id in the same pipeline, every
 *   job again), from failed (only failed jobs and those after them: successful jobs, approvals included,
 *   are not repeated — https://circleci.com/docs/guides/orchestrate/automatic-reruns), one job
 *   (optionally with SSH: its token says `ssh-rerun: true`; a later re-run of that workflow keeps SSH on
 *   for the job: "If you rerun a workflow containing a job that was previously re-run with SSH, the new
 *   workflow runs with SSH enabled for that job", https://circleci.com/docs/guides/orchestrate/workflows/#rerunning-a-workflows-failed-jobs).
 *   Workflows 90 days or older are not re-run
 *   (https://circleci.com/docs/guides/orchestrate/workflows/#rerunning-workflows-fails) and an approval
 *   job expires 90 days after it started ("A job can be approved for up to 90 days after it starts",
 *   workflows page; https://support.circleci.com/hc/en-us/articles/360043401212-Time-Limit-for-Approval-Hold-Job);
 *   that the bound is the same for every kind of re-run is an assumption.
 */
import { createHash, randomUUID } from "node:crypto";
import { cp, mkdir, mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse } from "yaml";
import { evaluateCondition, expandJob, resolveParameters, runJob, type JobRun, type Orb, type PipelineValues, type Yaml, type YamlMap } from "./orb-harness.js";
import { CIRCLECI_TOKEN_LIFETIME_SECONDS, fakeJwt } from "./jwt.js";

const DAY_MS = 86_400_000;
/** Workspace retention when the organization set none (https://circleci.com/docs/workspaces/). */
export const WORKSPACE_RETENTION_DAYS = 15;
/** Workflows this old are not re-run, approvals this old not accepted (see the file comment). */
export const RERUN_LIMIT_DAYS = 90;

/** A context: its variables and, when restricted, the security groups that may use it. */
export interface Context {
  readonly env: Record<string, string>;
  /** Absent: every member of the organization (CircleCI's "All members"). */
  readonly groups?: readonly string[];
}

/** The CircleCI organization and project the runner plays. */
export interface Organization {
  readonly id: string;
  readonly projectId: string;
  /** `gh/<org>/<repo>` */
  readonly slug: string;
  /** The repository URL as the token's vcs-origin claim gives it, e.g. github.com/acme/shop. */
  readonly vcsOrigin: string;
  /** Members by name (the CircleCI username), with their security groups (GitHub teams). */
  readonly users: Record<string, { readonly groups: readonly string[] }>;
  readonly contexts: Record<string, Context>;
}

/** What started a pipeline: a push to a branch or a tag, or Trigger Pipeline with parameters. */
export interface Trigger {
  readonly user: string;
  readonly sha: string;
  readonly branch?: string;
  readonly tag?: string;
  readonly parameters?: YamlMap;
}

export type JobStatus = "blocked" | "on_hold" | "success" | "failed" | "unauthorized" | "not_run" | "canceled";
const DONE: ReadonlySet<JobStatus> = new Set(["success", "failed", "unauthorized", "not_run", "canceled"]);

/** A job of a compiled workflow: what the config says about it. */
interface JobDefinition {
  readonly name: string;
  readonly approval: boolean;
  /** `alias/job` of an orb, or a job of the config. */
  readonly component: string;
  readonly args: YamlMap;
  readonly requires: readonly { readonly name: string; readonly statuses: readonly JobStatus[] }[];
  readonly contexts: readonly string[];
  readonly serialGroup?: string;
}

/** A job in a workflow run. */
export interface WorkflowJob {
  readonly definition: JobDefinition;
  status: JobStatus;
  /** Why it is unauthorized, not run or failed before its steps. */
  reason?: string;
  approvedBy?: string;
  /** When an approval job went on hold (its start). */
  heldAt?: number;
  /** The user the job ran as (triggerer, re-runner or approver). */
  actor?: string;
  buildNumber?: number;
  run?: JobRun;
  /** The claims of its CIRCLE_OIDC_TOKEN_V2. */
  claims?: Record<string, unknown>;
  /** Stored artifacts: destination → local file or directory. */
  artifacts: Record<string, string>;
  /** Kept from the workflow this one re-runs (not run again). */
  kept?: boolean;
}

interface Layer {
  readonly job: string;
  readonly dir: string;
  readonly createdAt: number;
  readonly inherited: boolean;
}

export interface Workflow {
  readonly id: string;
  readonly name: string;
  readonly pipeline: Pipeline;
  /** The user who triggered (or re-ran) the workflow. */
  readonly actor: string;
  readonly jobs: Map<string, WorkflowJob>;
  readonly layers: Layer[];
  readonly rerunOf?: Workflow;
  readonly sshJobs: ReadonlySet<string>;
}

export interface Pipeline {
  readonly id: string;
  readonly number: number;
  readonly createdAt: number;
  readonly trigger: Trigger;
  readonly config: YamlMap;
  /** The orbs as resolved when the pipeline was created, by alias. */
  readonly orbs: Record<string, Orb>;
  readonly values: PipelineValues;
  readonly definitions: Record<string, readonly JobDefinition[]>;
  readonly workflows: Workflow[];
}

/** How the runner runs jobs. */
export interface RunnerOptions {
  readonly organization: Organization;
  /** Published orbs by reference (`namespace/name@version`); read when a pipeline is created. */
  readonly registry: Record<string, Orb>;
  /** The AWS endpoint variables of the emulator (its static keys are dropped: jobs authenticate with OIDC). */
  readonly awsEnv: () => Record<string, string>;
  /** The repository `checkout` clones. */
  readonly repository?: string;
  /** Directories put in front of PATH in every job (stand-ins for the user's own tools). */
  readonly path?: readonly string[];
  /**
   * Parameters given to every orb job that declares them, below the config's own (test timing only,
   * e.g. poll_interval: a rollout on the emulator takes milliseconds, not CircleCI's seconds).
   */
  readonly orbJobDefaults?: YamlMap;
  /** Jobs of the config not executed, by name: the exit code they end with (e.g. this project's own test job). */
  readonly stubs?: Record<string, number>;
}

/** An approval or re-run CircleCI refuses. */
export class Refused extends Error {}

function isMap(value: unknown): value is YamlMap {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function list(value: Yaml | undefined): Yaml[] {
  return value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
}

/** A deterministic UUID for a name (users and contexts have stable ids). */
function uuidFor(kind: string, name: string): string {
  const hex = createHash("sha256").update(`${kind}:${name}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** `<< pipeline.x >>` in a value (a whole-string reference keeps its type). */
function substitutePipeline(value: Yaml, values: PipelineValues): Yaml {
  if (typeof value === "string") {
    const lookup = (name: string): Yaml => {
      if (!(name in values)) throw new Error(`unknown pipeline value pipeline.${name}`);
      return values[name] as Yaml;
    };
    const whole = /^<<\s*pipeline\.([\w.-]+)\s*>>$/.exec(value);
    if (whole) return lookup(whole[1] as string);
    return value.replace(/(?<!\\)<<\s*pipeline\.([\w.-]+)\s*>>/g, (_m, name: string) => String(lookup(name)));
  }
  if (Array.isArray(value)) return value.map((item) => substitutePipeline(item, values));
  if (isMap(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitutePipeline(item, values)]));
  return value;
}

/** A filter value (string or list; `/re/` matches the whole name) against a branch or tag name. */
function filterMatches(filter: Yaml | undefined, name: string): boolean {
  return list(filter).some((item) => {
    const text = String(item);
    const regex = /^\/(.*)\/$/.exec(text);
    return regex ? new RegExp(`^(?:${regex[1] as string})$`).test(name) : text === name;
  });
}

/** Whether a job with `filters` runs for the trigger (see the file comment). */
export function passesFilters(filters: Yaml | undefined, trigger: Pick<Trigger, "branch" | "tag">): boolean {
  // A string is an expression filter (`pipeline.git.branch == "main"`, https://circleci.com/docs/workflows/#using-filters-in-your-workflows):
  // not modelled, so refused rather than read as "no filter" (which would run the job everywhere).
  if (typeof filters === "string") throw new Error(`filters: expression filters are not modelled by the workflow runner: ${filters}`);
  const map = isMap(filters) ? filters : {};
  const check = (spec: Yaml | undefined, name: string): boolean => {
    const rules = isMap(spec) ? spec : {};
    if (rules["only"] !== undefined && !filterMatches(rules["only"], name)) return false;
    if (rules["ignore"] !== undefined && filterMatches(rules["ignore"], name)) return false;
    return true;
  };
  if (trigger.tag !== undefined) return map["tags"] !== undefined && check(map["tags"], trigger.tag);
  return check(map["branches"], trigger.branch ?? "");
}

/**
 * `terminal` is "equivalent to [success, failed, canceled, unauthorized, not_run]"
 * (https://circleci.com/docs/configuration-reference/#requires).
 */
const TERMINAL: readonly JobStatus[] = ["success", "failed", "canceled", "unauthorized", "not_run"];

function parseRequires(value: Yaml | undefined): JobDefinition["requires"] {
  return list(value).flatMap((item) => {
    if (typeof item === "string") return [{ name: item, statuses: ["success"] as JobStatus[] }];
    if (!isMap(item)) throw new Error(`requires: ${JSON.stringify(item)} is neither a job name nor {job: status}`);
    return Object.entries(item).map(([name, statuses]) => ({
      name,
      statuses: list(statuses).flatMap((status) => (status === "terminal" ? TERMINAL : [String(status) as JobStatus])),
    }));
  });
}

/** The jobs of one workflow, filtered for the trigger, with what they require checked. */
function compileWorkflow(name: string, workflow: YamlMap, trigger: Trigger): JobDefinition[] {
  const all: JobDefinition[] = [];
  for (const entry of list(workflow["jobs"])) {
    const [component, raw] = typeof entry === "string" ? [entry, {} as YamlMap] : (Object.entries(entry as YamlMap)[0] as [string, Yaml]);
    const args = isMap(raw) ? raw : {};
    if (!passesFilters(args["filters"], trigger)) continue;
    all.push({
      name: typeof args["name"] === "string" ? args["name"] : component,
      approval: args["type"] === "approval",
      component,
      args,
      requires: parseRequires(args["requires"]),
      contexts: list(args["context"]).map(String),
      ...(typeof args["serial-group"] === "string" ? { serialGroup: args["serial-group"] } : {}),
    });
  }
  // A job that requires a job this trigger leaves out is left out too (assumption), until none is left.
  let jobs = all;
  for (;;) {
    const names = new Set(jobs.map((job) => job.name));
    const kept = jobs.filter((job) => job.requires.every((r) => names.has(r.name)));
    if (kept.length === jobs.length) break;
    jobs = kept;
  }
  const declared = new Set(list(workflow["jobs"]).map((entry) => (typeof entry === "string" ? entry : (() => {
    const [component, raw] = Object.entries(entry as YamlMap)[0] as [string, Yaml];
    return isMap(raw) && typeof raw["name"] === "string" ? raw["name"] : component;
  })())));
  for (const job of all) for (const r of job.requires) if (!declared.has(r.name)) throw new Error(`workflow ${name}: job ${job.name} requires ${r.name}, which is not in the workflow`);
  return jobs;
}

/** Runs pipelines of a config on this machine. */
export class CircleCi {
  private offsetMs = 0;
  private pipelineNumber = 0;
  private buildNumber = 1000;
  private root: Promise<string> | undefined;
  /** Per serial group, the jobs in the order they ran (`pipeline number/workflow/job`). */
  readonly serialLog: Record<string, string[]> = {};

  constructor(readonly options: RunnerOptions) {}

  /** The runner's clock (epoch ms): the host's, moved forward by {@link advanceDays}. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  advanceDays(days: number): void {
    this.offsetMs += days * DAY_MS;
  }

  private async dir(kind: string): Promise<string> {
    this.root ??= mkdtemp(join(tmpdir(), "circleci-runner-"));
    const path = join(await this.root, `${kind}-${randomUUID()}`);
    await mkdir(path, { recursive: true });
    return path;
  }

  /** Creates a pipeline from a config (YAML text or parsed) for a trigger; runs nothing yet. */
  createPipeline(config: string | YamlMap, trigger: Trigger): Pipeline {
    const parsed = (typeof config === "string" ? parse(config) : structuredClone(config)) as YamlMap;
    if (trigger.branch === undefined && trigger.tag === undefined) throw new Error("a trigger needs a branch or a tag");
    const orbs: Record<string, Orb> = {};
    for (const [alias, ref] of Object.entries(isMap(parsed["orbs"]) ? parsed["orbs"] : {})) {
      const orb = this.options.registry[String(ref)];
      if (orb === undefined) throw new Error(`orb ${String(ref)} (alias ${alias}) is not in the registry`);
      orbs[alias] = structuredClone(orb);
    }
    const parameters = resolveParameters("pipeline", parsed["parameters"] as YamlMap | undefined, trigger.parameters ?? {});
    const number = ++this.pipelineNumber;
    const id = randomUUID();
    const values: PipelineValues = {
      id,
      number,
      "project.slug": this.options.organization.slug,
      "git.branch": trigger.branch ?? "",
      "git.tag": trigger.tag ?? "",
      "git.revision": trigger.sha,
      "trigger_source": trigger.parameters ? "api" : "webhook",
      ...Object.fromEntries(Object.entries(parameters).map(([name, value]) => [`parameters.${name}`, value as string | number])),
    };
    const workflows = substitutePipeline((parsed["workflows"] ?? {}) as Yaml, values) as YamlMap;
    const definitions: Record<string, JobDefinition[]> = {};
    for (const [name, workflow] of Object.entries(workflows)) {
      if (name === "version" || !isMap(workflow)) continue;
      if (workflow["when"] !== undefined && !evaluateCondition(workflow["when"])) continue;
      if (workflow["unless"] !== undefined && evaluateCondition(workflow["unless"])) continue;
      const jobs = compileWorkflow(name, workflow, trigger);
      if (jobs.length > 0) definitions[name] = jobs;
    }
    return { id, number, createdAt: this.now(), trigger, config: parsed, orbs, values, definitions, workflows: [] };
  }

  /** Creates the pipeline and runs each of its workflows until it ends or waits for an approval. */
  async trigger(config: string | YamlMap, trigger: Trigger): Promise<Pipeline> {
    const pipeline = this.createPipeline(config, trigger);
    for (const name of Object.keys(pipeline.definitions)) await this.start(pipeline, name, trigger.user);
    return pipeline;
  }

  private async start(pipeline: Pipeline, name: string, actor: string, from?: { workflow: Workflow; keep: (job: WorkflowJob) => boolean; ssh?: readonly string[] }): Promise<Workflow> {
    const jobs = new Map<string, WorkflowJob>();
    for (const definition of pipeline.definitions[name] ?? []) {
      const original = from?.workflow.jobs.get(definition.name);
      jobs.set(definition.name, original && from?.keep(original) ? { ...original, artifacts: { ...original.artifacts }, kept: true } : { definition, status: "blocked", artifacts: {} });
    }
    const layers = (from?.workflow.layers ?? []).map((layer) => ({ ...layer, inherited: true }));
    const workflow: Workflow = { id: randomUUID(), name, pipeline, actor, jobs, layers, ...(from ? { rerunOf: from.workflow } : {}), sshJobs: new Set([...(from?.workflow.sshJobs ?? []), ...(from?.ssh ?? [])]) };
    pipeline.workflows.push(workflow);
    await this.advance(workflow);
    return workflow;
  }

  /** The workflow's status as the UI shows it. */
  static status(workflow: Workflow): "success" | "failed" | "on_hold" | "unauthorized" | "running" {
    const statuses = [...workflow.jobs.values()].map((job) => job.status);
    if (statuses.includes("on_hold")) return "on_hold";
    if (statuses.includes("unauthorized")) return "unauthorized";
    if (statuses.some((s) => s === "failed" || s === "not_run")) return "failed";
    if (statuses.includes("blocked")) return "running";
    return "success";
  }

  /** Runs every job whose requirements are done, until none is left to start. */
  private async advance(workflow: Workflow): Promise<void> {
    for (let progressed = true; progressed; ) {
      progressed = false;
      for (const job of workflow.jobs.values()) {
        if (job.status !== "blocked") continue;
        const required = job.definition.requires.map((r) => ({ r, job: workflow.jobs.get(r.name) as WorkflowJob }));
        if (!required.every(({ job: upstream }) => DONE.has(upstream.status))) continue;
        progressed = true;
        const unmet = required.find(({ r, job: upstream }) => !r.statuses.includes(upstream.status));
        if (unmet) {
          job.status = "not_run";
          job.reason = `${unmet.r.name} ended ${unmet.job.status}`;
        } else if (job.definition.approval) {
          job.status = "on_hold";
          job.heldAt = this.now();
        } else {
          await this.execute(workflow, job);
        }
      }
    }
  }

  /** The jobs upstream of `name` (transitively), nearest first. */
  private upstream(workflow: Workflow, name: string): WorkflowJob[] {
    const seen = new Set<string>();
    const order: WorkflowJob[] = [];
    let frontier = [name];
    while (frontier.length > 0) {
      const next: string[] = [];
      for (const current of frontier) {
        for (const r of workflow.jobs.get(current)?.definition.requires ?? []) {
          if (seen.has(r.name)) continue;
          seen.add(r.name);
          order.push(workflow.jobs.get(r.name) as WorkflowJob);
          next.push(r.name);
        }
      }
      frontier = next;
    }
    return order;
  }

  /** Who a job runs as: the approver of the nearest approval before it, else who started the workflow. */
  private actorOf(workflow: Workflow, name: string): string {
    return this.upstream(workflow, name).find((job) => job.definition.approval && job.approvedBy !== undefined)?.approvedBy ?? workflow.actor;
  }

  /** The restricted contexts of `contexts` that `user` may not use. */
  private deniedContexts(contexts: readonly string[], user: string): string[] {
    const groups = this.options.organization.users[user]?.groups ?? [];
    return contexts.filter((name) => {
      const context = this.options.organization.contexts[name];
      return context?.groups !== undefined && !context.groups.some((group) => groups.includes(group));
    });
  }

  /** Clicks Approve on an on-hold job as `user`, then runs what follows. */
  async approve(workflow: Workflow, name: string, user: string): Promise<void> {
    const job = workflow.jobs.get(name);
    if (job?.status !== "on_hold") throw new Error(`${name} is not on hold in workflow ${workflow.name}`);
    // "A job can be approved for up to 90 days after it starts" (https://circleci.com/docs/workflows/#holding-a-workflow-for-a-manual-approval).
    if (this.now() - (job.heldAt ?? workflow.pipeline.createdAt) >= RERUN_LIMIT_DAYS * DAY_MS) throw new Refused(`${name}: approvals expire ${RERUN_LIMIT_DAYS} days after the approval job started`);
    if (this.options.organization.users[user] === undefined) throw new Refused(`${user} is not a member of the organization`);
    // A context on the approval job itself restricts who may approve it (CircleCI support, "How to
    // trigger pipelines selectively using an approval job": the context is there only for access control).
    // The contexts of the jobs after it do not: "This approval job may be approved by any member of the
    // project, but the deploy job will fail as unauthorized if the approver is not part of the restricted
    // context security group" (https://circleci.com/docs/contexts/#approve-jobs-that-use-restricted-contexts);
    // {@link CircleCi.execute} marks those jobs unauthorized when they run as the approver.
    const denied = this.deniedContexts(job.definition.contexts, user);
    if (denied.length > 0) throw new Refused(`${user} may not approve ${name}: not in a security group of the restricted context ${[...new Set(denied)].join(", ")}`);
    job.status = "success";
    job.approvedBy = user;
    await this.advance(workflow);
  }

  /**
   * Re-runs a workflow as CircleCI's UI offers it: from start, from failed, or the named jobs
   * (optionally with SSH). Returns the new workflow, run until it ends or holds.
   */
  async rerun(workflow: Workflow, how: { from: "start" | "failed" } | { jobs: readonly string[]; ssh?: boolean }, user: string): Promise<Workflow> {
    const age = this.now() - workflow.pipeline.createdAt;
    if (age >= RERUN_LIMIT_DAYS * DAY_MS) throw new Refused(`workflow ${workflow.name} of pipeline ${workflow.pipeline.number} is ${Math.floor(age / DAY_MS)} days old: workflows ${RERUN_LIMIT_DAYS} days or older cannot be re-run`);
    if ("from" in how && how.from === "start") return this.start(workflow.pipeline, workflow.name, user, { workflow, keep: () => false });
    if ("from" in how) {
      if (![...workflow.jobs.values()].some((job) => DONE.has(job.status) && job.status !== "success")) throw new Refused(`workflow ${workflow.name} has no failed job to re-run from`);
      return this.start(workflow.pipeline, workflow.name, user, { workflow, keep: (job) => job.status === "success" });
    }
    for (const name of how.jobs) if (!workflow.jobs.has(name)) throw new Error(`no job ${name} in workflow ${workflow.name}`);
    return this.start(workflow.pipeline, workflow.name, user, { workflow, keep: (job) => !how.jobs.includes(job.definition.name), ...(how.ssh ? { ssh: how.jobs } : {}) });
  }

  /** The text of a stored artifact, by the job's name and the artifact's destination. */
  async artifact(workflow: Workflow, job: string, destination: string): Promise<string> {
    const path = workflow.jobs.get(job)?.artifacts[destination];
    if (path === undefined) throw new Error(`${job} stored no artifact ${destination}`);
    return readFile(path, "utf8");
  }

  private tokens(workflow: Workflow, job: WorkflowJob, actor: string): { v1: string; v2: string; claims: Record<string, unknown> } {
    const org = this.options.organization;
    const trigger = workflow.pipeline.trigger;
    const ref = trigger.tag !== undefined ? `refs/tags/${trigger.tag}` : `refs/heads/${trigger.branch ?? ""}`;
    const iat = Math.floor(Date.now() / 1000);
    const base = `org/${org.id}/project/${org.projectId}/user/${uuidFor("user", actor)}`;
    const common = {
      iss: `https://oidc.circleci.com/org/${org.id}`,
      aud: org.id,
      iat,
      exp: iat + CIRCLECI_TOKEN_LIFETIME_SECONDS,
      "oidc.circleci.com/project-id": org.projectId,
      "oidc.circleci.com/context-ids": job.definition.contexts.map((name) => uuidFor("context", name)),
      "oidc.circleci.com/ssh-rerun": workflow.sshJobs.has(job.definition.name),
      // The additional claims are listed for "the OpenID Connect ID tokens", both of them; only `sub`
      // differs between CIRCLE_OIDC_TOKEN and _V2 (https://circleci.com/docs/openid-connect-tokens/).
      "oidc.circleci.com/vcs-origin": org.vcsOrigin,
      "oidc.circleci.com/vcs-ref": ref,
    };
    const claims = { ...common, sub: `${base}/vcs-origin/${org.vcsOrigin}/vcs-ref/${ref}` };
    return { v1: fakeJwt({ ...common, sub: base }), v2: fakeJwt(claims), claims };
  }

  /** Runs one job: its contexts checked, its environment built, its steps run with the harness. */
  private async execute(workflow: Workflow, job: WorkflowJob): Promise<void> {
    const { definition } = job;
    const actor = this.actorOf(workflow, definition.name);
    job.actor = actor;
    job.buildNumber = ++this.buildNumber;
    const missing = definition.contexts.filter((name) => this.options.organization.contexts[name] === undefined);
    if (missing.length > 0) {
      job.status = "failed";
      job.reason = `context ${missing.join(", ")} not found`;
      return;
    }
    const denied = this.deniedContexts(definition.contexts, actor);
    if (denied.length > 0) {
      job.status = "unauthorized";
      job.reason = `${actor} is not in a security group of the restricted context ${denied.join(", ")}`;
      return;
    }
    if (definition.serialGroup !== undefined) (this.serialLog[definition.serialGroup] ??= []).push(`${workflow.pipeline.number}/${workflow.name}/${definition.name}`);
    const stub = this.options.stubs?.[definition.name];
    if (stub !== undefined) {
      job.status = stub === 0 ? "success" : "failed";
      return;
    }
    const tokens = this.tokens(workflow, job, actor);
    job.claims = tokens.claims;
    const { AWS_ACCESS_KEY_ID: _key, AWS_SECRET_ACCESS_KEY: _secret, ...aws } = this.options.awsEnv();
    const contextEnv = Object.assign({}, ...definition.contexts.map((name) => this.options.organization.contexts[name]?.env ?? {})) as Record<string, string>;
    const expanded = expandJob(...this.component(workflow.pipeline, definition));
    const trigger = workflow.pipeline.trigger;
    const run = await runJob(expanded, {
      ...(this.options.repository !== undefined ? { repository: this.options.repository } : {}),
      ...(this.options.path !== undefined ? { path: this.options.path } : {}),
      env: { ...aws, ...contextEnv, CIRCLE_OIDC_TOKEN: tokens.v1, CIRCLE_OIDC_TOKEN_V2: tokens.v2 },
      circle: {
        CIRCLE_SHA1: trigger.sha,
        CIRCLE_BRANCH: trigger.branch ?? "",
        ...(trigger.tag !== undefined ? { CIRCLE_TAG: trigger.tag } : {}),
        CIRCLE_USERNAME: actor,
        CIRCLE_JOB: definition.name,
        CIRCLE_BUILD_NUM: String(job.buildNumber),
        CIRCLE_BUILD_URL: `https://app.circleci.com/pipelines/${this.options.organization.slug}/${workflow.pipeline.number}/workflows/${workflow.id}/jobs/${job.buildNumber}`,
        CIRCLE_PIPELINE_ID: workflow.pipeline.id,
        CIRCLE_WORKFLOW_ID: workflow.id,
        CIRCLE_WORKFLOW_JOB_ID: randomUUID(),
      },
      workspaceStep: (type, args, resolvePath) => this.workspaceStep(workflow, definition.name, type, args, resolvePath),
    });
    job.run = run;
    for (const artifact of run.artifacts) {
      const local = join(await this.dir("artifact"), "file");
      try {
        await cp(join(run.workingDirectory, artifact.path), local, { recursive: true });
        job.artifacts[artifact.destination] = local;
      } catch {
        // CircleCI stores nothing (and says so in the step) when the path does not exist.
      }
    }
    job.status = run.code === 0 ? "success" : "failed";
  }

  /** The harness arguments that expand a workflow job: the orb's job or the config's own. */
  private component(pipeline: Pipeline, definition: JobDefinition): [Orb, string, YamlMap, PipelineValues] {
    const { type: _type, ...args } = definition.args;
    const slash = definition.component.indexOf("/");
    if (slash < 0) {
      const own: Orb = { jobs: (pipeline.config["jobs"] ?? {}) as Orb["jobs"], commands: (pipeline.config["commands"] ?? {}) as Orb["commands"], executors: (pipeline.config["executors"] ?? {}) as Orb["executors"] };
      return [own, definition.component, args, pipeline.values];
    }
    const orb = pipeline.orbs[definition.component.slice(0, slash)];
    const jobName = definition.component.slice(slash + 1);
    if (orb === undefined || orb.jobs[jobName] === undefined) throw new Error(`unknown job ${definition.component}`);
    const declared = (orb.jobs[jobName]["parameters"] ?? {}) as YamlMap;
    const defaults = Object.fromEntries(Object.entries(this.options.orbJobDefaults ?? {}).filter(([key]) => key in declared));
    return [orb, jobName, { ...defaults, ...args }, pipeline.values];
  }

  private async workspaceStep(workflow: Workflow, job: string, type: "persist_to_workspace" | "attach_workspace", args: YamlMap, resolvePath: (path: string) => string): Promise<{ code: number; output: string }> {
    try {
      if (type === "persist_to_workspace") {
        const dir = await this.dir("layer");
        const root = resolvePath(String(args["root"]));
        for (const path of list(args["paths"])) {
          await mkdir(dirname(join(dir, String(path))), { recursive: true });
          await cp(join(root, String(path)), join(dir, String(path)), { recursive: true });
        }
        workflow.layers.push({ job, dir, createdAt: this.now(), inherited: false });
        return { code: 0, output: "persisted to the workspace\n" };
      }
      const upstream = new Set(this.upstream(workflow, job).map((j) => j.definition.name));
      const layers = workflow.layers.filter((layer) => upstream.has(layer.job));
      const live = layers.filter((layer) => this.now() - layer.createdAt < WORKSPACE_RETENTION_DAYS * DAY_MS);
      if (layers.length > 0 && live.length === 0) return { code: 1, output: `attach_workspace failed: the workspace expired (kept ${WORKSPACE_RETENTION_DAYS} days)\n` };
      const at = resolvePath(String(args["at"]));
      await mkdir(at, { recursive: true });
      for (const layer of live) await cp(layer.dir, at, { recursive: true });
      return { code: 0, output: `attached ${live.length} workspace layer(s) at ${String(args["at"])}\n` };
    } catch (error) {
      return { code: 1, output: `${type} failed: ${error instanceof Error ? error.message : String(error)}\n` };
    }
  }
}
