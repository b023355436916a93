import { escapeParameterSyntax, CircleCI, parameterRef } from "./sdk.js";
import { packBundle, readScript } from "./embed.js";
import { parameterList } from "./parameter-list.js";
import { exposedName, flagVariable, OIDC_PARAMETERS, PARAMETERS, VERB_PARAMETERS, type ParameterName, type Verb } from "./parameters.js";

type ReusableCommand = InstanceType<typeof CircleCI.reusable.ReusableCommand>;
type CommandParameters = ConstructorParameters<typeof CircleCI.reusable.ReusableCommand>[2];

/** The orb's commands, by name. */
export interface OrbCommands {
  readonly install: ReusableCommand;
  readonly configure_aws_oidc: ReusableCommand;
  readonly push: ReusableCommand;
  readonly release: ReusableCommand;
  readonly rollback: ReusableCommand;
}

/** Step names shown in the CircleCI UI: readable, with the parameters that say what the step does. */
const STEP_NAMES: Record<Verb, string> = {
  push: `Build and push the image to ${parameterRef("repository")}`,
  release: `Release ${parameterRef("service")} to ${parameterRef("cluster")}`,
  rollback: `Roll back ${parameterRef("service")} on ${parameterRef("cluster")} to ${parameterRef("to")}`,
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
};

/**
 * The `environment:` of a CLI step: each parameter as the `ECS_RELEASE_*` variable of its flag. CircleCI
 * puts parameter values into these strings itself, before any shell runs, so a value is never parsed
 * by a shell: this is what keeps `$(...)`, quotes and newlines in parameters inert.
 */
export function flagEnvironment(names: readonly ParameterName[]): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const name of names) {
    const flag: string | undefined = (PARAMETERS[name] as { flag?: string }).flag;
    if (flag === undefined) throw new Error(`orb parameter ${name} feeds no CLI flag`);
    environment[flagVariable(flag)] = parameterRef(exposedName(name));
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
    ...(verb === "push" ? {} : { no_output_timeout: parameterRef("timeout") }),
  });
  return new CircleCI.reusable.ReusableCommand(verb, [step], parameterList<CommandParameters>(names), DESCRIPTIONS[verb]);
}

/** The command that installs the CLI embedded in the orb (`bundle`: the text of dist/ecs-release.cjs). */
function installCommand(bundle: string | Uint8Array): ReusableCommand {
  const packed = packBundle(bundle);
  const environment: Record<string, string> = { ORB_SHA256: packed.sha256 };
  packed.parts.forEach((part, index) => (environment[`ORB_PACKED_${index + 1}`] = part));
  environment["ORB_UNPACK_SCRIPT"] = escapeParameterSyntax(readScript("unpack-cli.js"));
  const step = new CircleCI.commands.Run({ name: "Install ecs-release (embedded in the orb)", command: 'node -e "$ORB_UNPACK_SCRIPT"', environment });
  return new CircleCI.reusable.ReusableCommand(
    "install",
    [step],
    undefined,
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
      "the job uses, one context per environment (restricted to who may release there).",
  );
}

/** Every command of the orb. */
export function buildCommands(bundle: string | Uint8Array): OrbCommands {
  return {
    install: installCommand(bundle),
    configure_aws_oidc: oidcCommand(),
    push: cliCommand("push"),
    release: cliCommand("release"),
    rollback: cliCommand("rollback"),
  };
}
