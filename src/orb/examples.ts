import { ORB_REF } from "./meta.js";

/** One orb example: a complete consumer `.circleci/config.yml` and what it shows. */
export interface OrbExample {
  readonly description: string;
  readonly usage: Record<string, unknown>;
}

const orbs = { "ecs-release": ORB_REF };

/** The test job as every example runs it: npm tests writing JUnit XML. */
const testJob = {
  "ecs-release/test": {
    name: "test",
    steps: [{ run: { name: "Install dependencies", command: "npm ci" } }, { run: { name: "Run the tests", command: "npm test -- --reporter=junit --outputFile=test-results/junit.xml" } }],
  },
};

const buildJob = {
  "ecs-release/build": {
    name: "build",
    requires: ["test"],
    context: "aws-build",
    repository: "myapp",
    docker_layer_caching: true,
    filters: { branches: { only: "main" } },
  },
};

/** Where plan jobs put their plans: a directory of the working directory, persisted to the workspace. */
export const PLAN_ROOT = "ecs-release-plan";

/**
 * The context of a plan job: the environment's plan context (`<context>-plan`), which people who
 * merge can use and whose role is read-only (docs/iam.md): no write credentials before the approval,
 * and no restricted context to stop the workflow before the approval even appears.
 */
export function planContext(context: unknown): string {
  return `${String(context)}-plan`;
}

/**
 * Plan, then approve (Terraform's saved plans are the model): a dry run writes the plan before the
 * approval — the masked diff in its output and as a Markdown artifact — and persists it to the
 * workflow's workspace (https://circleci.com/docs/workspaces/: kept 15 days by default); the release
 * after the approval attaches the workspace and releases only what was planned (exit 2, nothing
 * written, when SSM or the running revision changed meanwhile). `plan_job` and `release_job` take the
 * release's other parameters.
 */
export function plannedRelease(environment: string, requires: string | undefined, common: Record<string, unknown>, releaseOnly: Record<string, unknown> = {}): Record<string, unknown>[] {
  const planFile = `${PLAN_ROOT}/${environment}/plan.json`;
  return [
    {
      "ecs-release/release": {
        name: `plan_${environment}`,
        ...(requires !== undefined ? { requires: [requires] } : {}),
        ...common,
        context: planContext(common["context"]),
        dry_run: true,
        plan_file: planFile,
        "post-steps": [
          { store_artifacts: { path: `${PLAN_ROOT}/${environment}/plan.md`, destination: `release-plan-${environment}.md` } },
          { persist_to_workspace: { root: PLAN_ROOT, paths: [`${environment}/plan.json`, `${environment}/plan.key`] } },
        ],
      },
    },
    { [`approve_${environment}`]: { type: "approval", requires: [`plan_${environment}`] } },
    {
      "ecs-release/release": {
        name: `release_${environment}`,
        requires: [`approve_${environment}`],
        ...common,
        "serial-group": `<< pipeline.project.slug >>/release-${environment}`,
        plan_file: planFile,
        "pre-steps": [{ attach_workspace: { at: PLAN_ROOT } }],
        ...releaseOnly,
      },
    },
  ];
}

/** The release parameters of one environment, with that environment's context (role). */
function environmentParameters(environment: string): Record<string, unknown> {
  return { context: `aws-${environment}`, cluster: environment, service: "web,worker", ssm_path: `/myapp/${environment}`, repository: "myapp" };
}

/** The release of one environment: planned, behind its approval, one at a time, with that environment's context (role). */
function release(environment: string, requires: string, releaseOnly: Record<string, unknown> = {}): Record<string, unknown>[] {
  return plannedRelease(environment, requires, environmentParameters(environment), releaseOnly);
}

/**
 * The manually triggered release of an older SHA (the re-run path that always works): a pipeline parameter
 * names the commit; the normal pipeline is off in that pipeline, and the release runs behind the same
 * approval and in the same serial-group, with today's orb.
 */
const releaseSha = {
  description:
    "Release an older commit again from a new pipeline: Trigger Pipeline on main with the parameter release_sha=<full SHA of the " +
    "last good commit>. Only the release_sha workflow runs: the same plan job, approval (approve_prod) and release job, context and " +
    "serial-group as the normal pipeline, with sha set to that commit, so the release registers a new forward revision with that " +
    "commit's image (still in ECR) and today's SSM parameters. Unlike re-running the old pipeline, this always works: CircleCI does " +
    "not re-run workflows 90 days or older, a re-run keeps the orb version of its original pipeline, Rerun workflow from failed does " +
    "not ask for approval again, and a new pipeline is never skipped by the serial-group as an older one would be.",
  usage: {
    version: 2.1,
    orbs,
    parameters: {
      release_sha: { type: "string", default: "", description: "Full SHA of a commit to release again (its image must be in ECR). Empty: the normal pipeline." },
    },
    workflows: {
      deploy: {
        when: { equal: ["", "<< pipeline.parameters.release_sha >>"] },
        jobs: [testJob, buildJob, ...release("prod", "build")],
      },
      release_sha: {
        when: { not: { equal: ["", "<< pipeline.parameters.release_sha >>"] } },
        // The normal pipeline's plan, approval and release of prod (same context, approval and serial-group), with the SHA.
        jobs: plannedRelease("prod", undefined, { ...environmentParameters("prod"), sha: "<< pipeline.parameters.release_sha >>" }),
      },
    },
  },
};

/**
 * Gate production traffic on an approval (ECS's PAUSE lifecycle hooks:
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/pause-lifecycle-hooks.html): the release
 * stops where the deployment waits at PRE_PRODUCTION_TRAFFIC_SHIFT, a job tests the new revision
 * through the test listener, a person approves, and the continue job sends production traffic.
 */
function productionTrafficApproval(): OrbExample {
  const prod = environmentParameters("prod");
  const group = "<< pipeline.project.slug >>/release-prod";
  return {
    description:
      "Production traffic only after a person approves: the prod services use the BLUE_GREEN (or LINEAR, CANARY) strategy with a PAUSE " +
      "lifecycle hook at PRE_PRODUCTION_TRAFFIC_SHIFT (deploymentConfiguration.lifecycleHooks: targetType PAUSE). The release job with " +
      "until_paused stops waiting where ECS holds the deployment (green running with test traffic, blue keeps production), test_traffic " +
      "checks the new revision through the test listener, approve_production is the CircleCI approval, and the continue job " +
      "(ecs-release continue) sends production traffic and waits to the end; set action: rollback on it (or roll back from the UI) to go " +
      "back instead. Without an action the hook times out after its timeoutConfiguration (default 24 hours) and ECS rolls back.",
    usage: {
      version: 2.1,
      orbs,
      workflows: {
        deploy: {
          jobs: [
            testJob,
            buildJob,
            { "ecs-release/release": { name: "release_prod", requires: ["build"], ...prod, "serial-group": group, until_paused: true } },
            {
              "ecs-release/test": {
                name: "test_traffic",
                requires: ["release_prod"],
                steps: [{ run: { name: "Smoke-test the new revision through the test listener", command: "curl --fail --retry 5 https://test.myapp.example.com/health" } }],
              },
            },
            { approve_production: { type: "approval", requires: ["test_traffic"] } },
            { "ecs-release/continue": { name: "continue_prod", requires: ["approve_production"], context: prod["context"], "serial-group": group, cluster: prod["cluster"], service: prod["service"] } },
          ],
        },
      },
    },
  };
}

/** The orb's examples, by name. */
export const EXAMPLES: Record<string, OrbExample> = {
  minimal: {
    description:
      "The smallest working config: test every commit, then on main build the image, plan the release (a dry run: the masked diff in " +
      "the plan job's output and as the release-plan-prod.md artifact), and after the approval release exactly what was planned. " +
      "Each job gets its role from its context (docs/iam.md): aws-build the ECR role, aws-prod-plan the read-only plan role, and " +
      "aws-prod, the restricted context, the same OIDC role plus the deploy role and its ExternalId (ECS_RELEASE_DEPLOY_ROLE_ARN, " +
      "ECS_RELEASE_DEPLOY_EXTERNAL_ID), so only a release started by a member of its security group, after the approval, can write.",
    usage: {
      version: 2.1,
      orbs,
      workflows: {
        deploy: {
          jobs: [
            { "ecs-release/test": { name: "test", steps: [{ run: { name: "Run the tests", command: "npm ci && npm test" } }] } },
            { "ecs-release/build": { name: "build", requires: ["test"], context: "aws-build", repository: "myapp", filters: { branches: { only: "main" } } } },
            ...plannedRelease("prod", "build", { context: "aws-prod", cluster: "prod", service: "web", ssm_path: "/myapp/prod", repository: "myapp" }),
          ],
        },
      },
    },
  },

  deployment_pipeline: {
    description:
      "The full pipeline: tests on every branch; on main, build and push the image once, then release it environment by environment, " +
      "each behind its own approval job (click Approve on the workflow's page in the CircleCI UI). Each release job uses that environment's " +
      "context, whose AWS_ROLE_ARN is the role assumed with the job's OIDC token, and a serial-group, so two releases of one environment " +
      "never run at the same time (a second waits for the first). A pre-deploy command runs database migrations as a one-off task first. " +
      "Before each approval a plan job shows what will change (its output, and the release-plan-<environment>.md artifact); the release " +
      "after the approval checks it still holds (exit 2, nothing written, if SSM or the running revision changed: run the workflow again " +
      "from the start for a fresh plan, or set accept_drift on the release job).",
    usage: {
      version: 2.1,
      orbs,
      workflows: {
        deploy: {
          jobs: [
            testJob,
            buildJob,
            ...release("staging", "build"),
            ...release("prod", "release_staging", { pre_deploy_command: "bin/migrate", timeout: "45m", no_output_timeout: "80m" }),
          ],
        },
      },
    },
  },

  panic_rollback: {
    description:
      "Panic rollback from the CircleCI UI, without a commit: Trigger Pipeline on main with the parameters action=rollback, " +
      "environment=prod and, optionally, target (previous, a revision number, or sha:<commit>). The normal pipeline is gated off by its " +
      "when clause; the rollback job points the services back at the revision recorded as stable (bringing back its environment too) and " +
      "shares the environment's serial-group with the releases, so it never overlaps one: it waits for a release that is running (cancel " +
      "that workflow to roll back at once). It runs in the environment's restricted context, whose deploy role has the rollback policy " +
      "beside the release policy (docs/iam.md).",
    usage: {
      version: 2.1,
      orbs,
      parameters: {
        action: { type: "enum", enum: ["deploy", "rollback"], default: "deploy", description: "deploy: the normal pipeline. rollback: roll an environment back." },
        environment: { type: "enum", enum: ["staging", "prod"], default: "prod", description: "The environment to roll back." },
        target: { type: "string", default: "previous", description: "previous, a revision number, FAMILY:REVISION, or sha:<commit>." },
      },
      workflows: {
        deploy: {
          when: { equal: ["deploy", "<< pipeline.parameters.action >>"] },
          jobs: [testJob, buildJob, ...release("staging", "build"), ...release("prod", "release_staging")],
        },
        rollback: {
          when: { equal: ["rollback", "<< pipeline.parameters.action >>"] },
          jobs: [
            {
              "ecs-release/rollback": {
                context: "aws-<< pipeline.parameters.environment >>",
                "serial-group": "<< pipeline.project.slug >>/release-<< pipeline.parameters.environment >>",
                cluster: "<< pipeline.parameters.environment >>",
                service: "web,worker",
                to: "<< pipeline.parameters.target >>",
              },
            },
          ],
        },
      },
    },
  },

  release_sha: releaseSha,

  production_traffic_approval: productionTrafficApproval(),

  rerun_old_release: {
    description:
      "The high-priority rollback: release an older commit again. In the CircleCI UI open the pipeline of the last good commit on main, " +
      "open its deploy workflow and choose Rerun workflow from start. Test and build run again (build finds the image in ECR and takes " +
      "seconds), the plan job shows what the old commit would change today, you approve as usual, and the release job registers a new " +
      "forward revision with that commit's image and today's SSM parameters. It needs nothing from the old run: its plan comes from the " +
      "re-run (a release that finds no plan of its pipeline, e.g. a single job re-run once the workspace has expired, stops with exit 2: " +
      "re-run the workflow from the start, or set allow_missing_plan on the release job to release unchecked). " +
      "Start it when no newer release of that environment is running or waiting: CircleCI skips (not_run) a serial-group job of an " +
      "older pipeline while a newer pipeline's job is in the group. Limits: CircleCI does not re-run workflows 90 days or older, a re-run " +
      "keeps the orb version of its original pipeline, and Rerun workflow from failed does not ask for approval again; the release_sha " +
      "example is the path that always works.",
    usage: {
      version: 2.1,
      orbs,
      workflows: {
        deploy: {
          jobs: [testJob, buildJob, ...release("prod", "build")],
        },
      },
    },
  },
};
