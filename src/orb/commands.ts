import packageJson from "../../package.json" with { type: "json" };
import { envVarName } from "../cli/flag-spec.js";
import { escapeParameterSyntax, CircleCI, conditionalStep, parameterRef } from "./sdk.js";
import { CLI_BUILDS, type CliBundles } from "./cli-builds.js";
import { MAX_PART_CHARS, packBundle, readScript, type Compressor } from "./embed.js";
import { parameterList } from "./parameter-list.js";
import { exposedName, OIDC_PARAMETERS, PARAMETERS, STEP_DEFAULTS, STEP_PARAMETERS, VERB_PARAMETERS, type OrbParameter, type ParameterName, type Verb } from "./parameters.js";

type ReusableCommand = InstanceType<typeof CircleCI.reusable.ReusableCommand>;
type CommandParameters = ConstructorParameters<typeof CircleCI.reusable.ReusableCommand>[2];

/** The orb's commands, by name. */
export interface OrbCommands {
  readonly install: ReusableCommand;
  readonly configure_aws_oidc: ReusableCommand;
  readonly push: ReusableCommand;
  readonly release: ReusableCommand;
  readonly rollback: ReusableCommand;
  readonly continue: ReusableCommand;
}

/** Step names shown in the CircleCI UI: readable, with the parameters that say what the step does. */
const STEP_NAMES: Record<Verb, string> = {
  push: `Build and push the image to ${parameterRef("repository")}`,
  release: `Release ${parameterRef("service")} to ${parameterRef("cluster")}`,
  rollback: `Roll back ${parameterRef("service")} on ${parameterRef("cluster")} to ${parameterRef("to")}`,
  continue: `Paused deployment of ${parameterRef("service")} on ${parameterRef("cluster")}: ${parameterRef("action")}`,
};

const DESCRIPTIONS: Record<Verb, string> = {
  push:
    "Build the commit's image with a docker-compatible CLI, tag it with the full commit SHA and push it to ECR (ecs-release push). " +
    "Skipped in seconds when the tag already exists. Needs the CLI (install) and AWS credentials, and a Docker engine (setup_remote_docker).",
  release:
    "Register a forward task definition revision per family (the commit's image, with every SSM parameter under ssm_path as its environment), " +
    "update the services to it and wait until each rollout really completes (ecs-release release). Fails the step when a rollout fails or the " +
    "circuit breaker rolls it back. Running it for an older sha is the high-priority rollback.",
  rollback:
    "Point services at an existing revision recorded as stable (ecs-release rollback): the panic rollback, which also brings back that revision's " +
    "environment. Waits for every service to be stable, then deregisters the revisions rolled back from unless keep_bad.",
  continue:
    "Go on with (action continue) or roll back (action rollback) deployments waiting at a PAUSE lifecycle hook (ecs-release continue): " +
    "the gate after release with until_paused and an approval. Waits to the end and records the new revision's outcome; fails the step " +
    "when no deployment of a service is paused.",
};

/**
 * The `environment:` of a CLI step: each parameter as the `ECS_RELEASE_*` variable of its flag. CircleCI
 * puts parameter values into these strings itself, before any shell runs, so a value is never parsed
 * by a shell: this is what keeps `$(...)`, quotes and newlines in parameters inert.
 */
export function flagEnvironment(names: readonly ParameterName[]): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const name of names) {
    const definition: OrbParameter = PARAMETERS[name];
    if (definition.flag === undefined) throw new Error(`orb parameter ${name} feeds no CLI flag`);
    environment[envVarName(definition.flag)] = parameterRef(exposedName(name));
  }
  return environment;
}

function cliCommand(verb: Verb): ReusableCommand {
  const names = VERB_PARAMETERS[verb];
  const step = new CircleCI.commands.Run({
    name: STEP_NAMES[verb],
    command: `ecs-release ${verb}`,
    // CircleCI has no variable for the pipeline number; the CLI records it on the revision.
    environment: { ...flagEnvironment(names), CIRCLE_PIPELINE_NUM: "<< pipeline.number >>" },
    // The step's longest wait (pre_deploy_timeout + timeout + a margin): see the parameter's description.
    ...(STEP_PARAMETERS[verb].length > 0 ? { no_output_timeout: parameterRef("no_output_timeout") } : {}),
  });
  return new CircleCI.reusable.ReusableCommand(verb, [step], parameterList<CommandParameters>([...names, ...STEP_PARAMETERS[verb]], STEP_DEFAULTS[verb]), DESCRIPTIONS[verb]);
}

/**
 * The command that installs a CLI build embedded in the orb (`bundles`: the built files, see cli-builds.ts).
 * One `when` step per build; CircleCI keeps only the one whose condition holds when it compiles the config
 * (https://circleci.com/docs/configuration-reference/#the-when-step), so a job carries one build.
 */
function installCommand(bundles: CliBundles, compress: Compressor | undefined): ReusableCommand {
  const unpack = escapeParameterSyntax(readScript("unpack-cli.js"));
  const steps = CLI_BUILDS.map((build) => {
    const packed = packBundle(bundles[build], MAX_PART_CHARS, compress);
    // The version every build's --version prints (src/cli/main.ts): the unpack script prints it, the SHA-256 binds it to the file.
    const environment: Record<string, string> = { ORB_SHA256: packed.sha256, ORB_CLI_VERSION: packageJson.version };
    packed.parts.forEach((part, index) => (environment[`ORB_PACKED_${index + 1}`] = part));
    environment["ORB_UNPACK_SCRIPT"] = unpack;
    const step = new CircleCI.commands.Run({ name: "Install ecs-release (embedded in the orb)", command: 'node -e "$ORB_UNPACK_SCRIPT"', environment });
    return conditionalStep("when", { equal: [build, parameterRef("cli")] }, [step]);
  });
  return new CircleCI.reusable.ReusableCommand(
    "install",
    steps,
    parameterList<CommandParameters>(["cli"]),
    "Install the ecs-release CLI that travels inside this orb onto PATH for the rest of the job: nothing is downloaded, and the SHA-256 " +
      "the orb was built with is checked. Needs Node.js 20 or later on the executor (the orb's node executor has it).",
  );
}

function oidcCommand(): ReusableCommand {
  const step = new CircleCI.commands.Run({
    name: "Configure AWS credentials from the job's OIDC token",
    command: 'bash -c "$ORB_OIDC_SCRIPT"',
    environment: {
      ORB_ROLE_ARN: parameterRef("role_arn"),
      ORB_ROLE_SESSION_NAME: parameterRef("role_session_name"),
      ORB_REGION: parameterRef("region"),
      ORB_OIDC_SCRIPT: escapeParameterSyntax(readScript("configure-aws-oidc.sh")),
    },
  });
  return new CircleCI.reusable.ReusableCommand(
    "configure_aws_oidc",
    [step],
    parameterList<CommandParameters>(OIDC_PARAMETERS),
    "Make AWS credentials available to the rest of the job from CircleCI's OIDC token (web identity: no long-lived keys). " +
      "ecs-release assumes the role itself and renews the credentials for jobs of any length: CircleCI's token expires an hour after issue, " +
      "so each renewal mints a fresh one with `circleci run oidc get` (ECS_RELEASE_OIDC=circleci, exported here when the job has the circleci CLI). " +
      "Put AWS_ROLE_ARN (and AWS_REGION) in a context " +
      "the job uses, one context per environment (restricted to who may release there). In the chained set-up the restricted context also " +
      "holds ECS_RELEASE_DEPLOY_ROLE_ARN and ECS_RELEASE_DEPLOY_EXTERNAL_ID: ecs-release then assumes that deploy role from this one (docs/iam.md).",
  );
}

/** Every command of the orb (`compress`: how the builds are compressed, see packBundle). */
export function buildCommands(bundles: CliBundles, compress?: Compressor): OrbCommands {
  return {
    install: installCommand(bundles, compress),
    configure_aws_oidc: oidcCommand(),
    push: cliCommand("push"),
    release: cliCommand("release"),
    rollback: cliCommand("rollback"),
    continue: cliCommand("continue"),
  };
}
