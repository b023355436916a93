import type { Command } from "./command.js";
import { GLOBAL_FLAGS } from "./flag-definitions.js";
import { envVarName, type FlagSpec } from "./flag-spec.js";

/** The program's --help. */
export function programHelp(commands: readonly Command[], version: string): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `ecs-release ${version} — release container images to AWS ECS, and roll them back.`,
    "",
    "Usage: ecs-release <command> [flags]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Every flag can also be set as ECS_RELEASE_<FLAG> (--ssm-path ⇔ ECS_RELEASE_SSM_PATH); the flag wins.",
    "Exit codes: 0 done · 1 deployment failed · 2 bad input (nothing written) · 3 AWS call failed · 4 timed out.",
    "AWS credentials: the SDK's default chain; with ECS_RELEASE_OIDC=circleci (set by the orb) each renewal mints a fresh",
    "CircleCI OIDC token (`circleci run oidc get`) and assumes AWS_ROLE_ARN with it, so jobs may run longer than an hour.",
    "",
    "Example:",
    "  ecs-release release --cluster prod --service web --ssm-path /platform/prod --repository platform",
    "",
    "Run `ecs-release <command> --help` for a command's flags. `ecs-release --version` prints the version.",
    "",
  ].join("\n");
}

/** A command's --help. */
export function commandHelp(command: Command): string {
  const flags = [...command.flags, ...GLOBAL_FLAGS];
  const labels = flags.map(flagLabel);
  const width = Math.max(...labels.map((l) => l.length));
  return [
    `Usage: ecs-release ${command.name} [flags]`,
    "",
    command.description,
    "",
    "Flags:",
    ...flags.map((flag, i) => `  ${labels[i]!.padEnd(width)}  ${flagDescription(flag)}`),
    "",
    command.examples.length === 1 ? "Example:" : "Examples:",
    ...command.examples.map((e) => `  ${e}`),
    "",
  ].join("\n");
}

function flagLabel(flag: FlagSpec): string {
  const name = `${flag.short ? `-${flag.short}, ` : ""}--${flag.name}`;
  if (flag.type === "boolean") return name;
  const placeholder = flag.placeholder ?? (flag.type === "duration" ? "DURATION" : flag.type === "integer" ? "N" : "VALUE");
  return `${name} ${placeholder}${flag.type === "list" ? "…" : ""}`;
}

function flagDescription(flag: FlagSpec): string {
  const notes = [flag.required ? "required" : "", flag.choices ? `one of ${flag.choices.join(", ")}` : "", flag.default !== undefined ? `default ${flag.default}` : "", flag.type === "duration" ? "at most 24h" : "", flag.name === "help" ? "" : envVarName(flag.name)].filter(Boolean);
  return `${flag.description}${notes.length ? ` (${notes.join("; ")})` : ""}`;
}
