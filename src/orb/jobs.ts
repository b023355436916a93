import { CircleCI, conditionalStep, parameterRef, stepsParameter } from "./sdk.js";
import type { OrbCommands } from "./commands.js";
import { NODE_IMAGE } from "./meta.js";
import { parameterList } from "./parameter-list.js";
import { exposedName, STEP_DEFAULTS, STEP_PARAMETERS, VERB_PARAMETERS, type ParameterName, type Verb } from "./parameters.js";

type ReusableExecutor = InstanceType<typeof CircleCI.reusable.ReusableExecutor>;
type ParameterizedJob = InstanceType<typeof CircleCI.reusable.ParameterizedJob>;
type JobParameters = ConstructorParameters<typeof CircleCI.reusable.ParameterizedJob>[2];
type ExecutorParameters = ConstructorParameters<typeof CircleCI.reusable.ReusableExecutor>[2];
type Step = ConstructorParameters<typeof CircleCI.reusable.ParameterizedJob>[3] extends (infer S)[] | undefined ? S : never;

/** What each job is for, shown in the orb registry. */
export const JOB_DESCRIPTIONS: Record<string, string> = {
  test: "Check out the code and run your test steps on every branch; JUnit results in test_results are stored for the Tests tab.",
  build:
    "Check out the code, build the commit's image on a remote Docker engine (optionally with layer caching) and push it to ECR, tagged " +
    "with the commit SHA. A re-run finds the tag and finishes in seconds.",
  release:
    "Release the commit to one environment: a new task definition revision with the commit's image and the environment's SSM parameters, " +
    "rolled out to every service and watched to the end. Needs no checkout or workspace, so re-running an old pipeline's release job " +
    "releases that old commit again (the high-priority rollback). Give it a serial-group per environment in the workflow.",
  rollback:
    "Panic rollback: point the services at a revision recorded as stable (default: the one before the current) and clean up the bad " +
    "ones. Start it from the CircleCI UI with pipeline parameters (see the panic_rollback example).",
  continue:
    "Open the production-traffic gate: after a release job with until_paused stopped at a PAUSE lifecycle hook (test traffic on the new " +
    "revision) and an approval, continue the deployment to production traffic — or roll it back with action rollback (see the " +
    "production_traffic_approval example).",
};

/** The executor every CLI-backed job runs on. */
export function buildNodeExecutor(): ReusableExecutor {
  const docker = new CircleCI.executors.DockerExecutor(
    `${NODE_IMAGE}:${parameterRef("node_version")}`,
    // A parameter expression; CircleCI checks the class name when it compiles the config.
    parameterRef("resource_class") as "medium",
  );
  return new CircleCI.reusable.ReusableExecutor(
    "node",
    docker,
    parameterList<ExecutorParameters>(["node_version", "resource_class"], { resource_class: { default: "medium" } }),
  );
}

/** `{ name: << parameters.name >> }` for each parameter: a job handing its parameters to a command. */
function forward(names: readonly ParameterName[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [exposedName(name), parameterRef(exposedName(name))]));
}

/**
 * The job's `role_arn` parameter, as the job-level environment CircleCI gives every step: the default
 * configure_aws_oidc step assumes it (empty: AWS_ROLE_ARN from the context). Not AWS_ROLE_ARN itself:
 * a job's environment overrides its context's, and an empty parameter must leave the context's.
 */
const JOB_ROLE_ENVIRONMENT = { ORB_JOB_ROLE_ARN: parameterRef("role_arn") };

function cliJob(verb: Exclude<Verb, "push">, executor: ReusableExecutor, commands: OrbCommands): ParameterizedJob {
  const names = [...VERB_PARAMETERS[verb], ...STEP_PARAMETERS[verb]];
  const steps: Step[] = [
    new CircleCI.reusable.ReusedCommand(commands.install, { cli: verb }),
    stepsParameter("auth"),
    new CircleCI.reusable.ReusedCommand(commands[verb], forward(names)),
  ];
  return new CircleCI.reusable.ParameterizedJob(
    verb,
    executor.reuse({ resource_class: parameterRef("resource_class"), node_version: parameterRef("node_version") }),
    parameterList<JobParameters>([...names, "role_arn", "auth", "resource_class", "node_version"], { ...STEP_DEFAULTS[verb], auth: { defaultSteps: [new CircleCI.reusable.ReusedCommand(commands.configure_aws_oidc)] } }),
    steps,
    { environment: JOB_ROLE_ENVIRONMENT },
  );
}

/** `setup_remote_docker`; the SDK's type requires a version, CircleCI does not (and Server refuses one). */
function setupRemoteDocker(args: { version?: string; docker_layer_caching?: boolean }): InstanceType<typeof CircleCI.commands.SetupRemoteDocker> {
  return new CircleCI.commands.SetupRemoteDocker(args as ConstructorParameters<typeof CircleCI.commands.SetupRemoteDocker>[0]);
}

function buildJob(executor: ReusableExecutor, commands: OrbCommands): ParameterizedJob {
  const names = VERB_PARAMETERS.push;
  // Literal forms rather than `docker_layer_caching: << parameters.docker_layer_caching >>`, which
  // CircleCI accepts but the config schema (boolean) does not; and no `version` key at all unless one is
  // given (CircleCI Server refuses it). CircleCI keeps the one step whose condition holds.
  const version = parameterRef("remote_docker_version");
  const dlc = parameterRef("docker_layer_caching");
  const remoteDocker = [
    conditionalStep("when", { and: [dlc, version] }, [setupRemoteDocker({ version, docker_layer_caching: true })]),
    conditionalStep("when", { and: [dlc, { not: version }] }, [setupRemoteDocker({ docker_layer_caching: true })]),
    conditionalStep("when", { and: [{ not: dlc }, version] }, [setupRemoteDocker({ version })]),
    conditionalStep("when", { and: [{ not: dlc }, { not: version }] }, [setupRemoteDocker({})]),
  ];
  return new CircleCI.reusable.ParameterizedJob(
    "build",
    executor.reuse({ resource_class: parameterRef("resource_class"), node_version: parameterRef("node_version") }),
    parameterList<JobParameters>([...names, "docker_layer_caching", "remote_docker_version", "role_arn", "auth", "resource_class", "node_version"], {
      auth: { defaultSteps: [new CircleCI.reusable.ReusedCommand(commands.configure_aws_oidc)] },
      resource_class: { default: "medium" },
    }),
    [
      new CircleCI.commands.Checkout(),
      ...remoteDocker,
      new CircleCI.reusable.ReusedCommand(commands.install, { cli: "push" }),
      stepsParameter("auth"),
      new CircleCI.reusable.ReusedCommand(commands.push, forward(names)),
    ],
    { environment: JOB_ROLE_ENVIRONMENT },
  );
}

function testJob(): ParameterizedJob {
  // The executor is the job's `executor` parameter (the orb's node executor by default).
  const executor = new CircleCI.reusable.ReusedExecutor(new CircleCI.reusable.ReusableExecutor(parameterRef("executor"), new CircleCI.executors.DockerExecutor("unused")));
  return new CircleCI.reusable.ParameterizedJob("test", executor, parameterList<JobParameters>(["executor", "test_steps", "test_results"]), [
    new CircleCI.commands.Checkout(),
    stepsParameter("steps"),
    new CircleCI.commands.StoreTestResults({ path: parameterRef("test_results") }),
  ]);
}

/** Every job of the orb, in the order of the deployment process. */
export function buildJobs(executor: ReusableExecutor, commands: OrbCommands): ParameterizedJob[] {
  return [testJob(), buildJob(executor, commands), cliJob("release", executor, commands), cliJob("rollback", executor, commands), cliJob("continue", executor, commands)];
}
