import { readFileSync } from "node:fs";
import { join } from "node:path";
import packageJson from "../../package.json" with { type: "json" };
import type { Clock } from "../core/clock.js";
import { ExitCode, isEcsReleaseError, ValidationError } from "../core/errors.js";
import { Redactor } from "../core/redact.js";
import type { CliContext, Command } from "./command.js";
import { COMMANDS } from "./commands/index.js";
import { commandHelp, programHelp } from "./help.js";
import { createLogger, printableText, useColor } from "./log.js";

/** The version of this build. */
export const VERSION: string = packageJson.version;

/** What main() needs of the process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stderrIsTty: boolean;
}

/**
 * Runs the CLI: parses argv and the environment, runs one command, prints its result and returns
 * the exit code. Never throws and never calls process.exit (bin.ts does).
 */
export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: CliIo, signal: AbortSignal, clock: Clock = systemClock): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--version" || name === "-v" || name === "version") {
    io.stdout(`${VERSION}\n`);
    return ExitCode.ok;
  }
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? io.stderr : io.stdout)(programHelp(COMMANDS, VERSION));
    return name === undefined ? ExitCode.badInput : ExitCode.ok;
  }

  const redactor = new Redactor();
  const debug = argv.includes("--debug") || /^(1|true|yes)$/i.test(env["ECS_RELEASE_DEBUG"] ?? "");
  const log = createLogger({ write: io.stderr, redactor, debug, color: useColor(env, io.stderrIsTty), now: () => clock.now() });

  let json = argv.includes("--json");
  try {
    const command = findCommand(name);
    // Checks every flag (required ones too, unless --help is given) before the command runs.
    const parsed = command.parse(rest, env);
    json = parsed.globals.json;
    if (parsed.globals.help) {
      io.stdout(commandHelp(command));
      return ExitCode.ok;
    }
    const { checkSshRerun } = await import("../core/oidc-settings.js");
    checkSshRerun(command.name, parsed.writes, env);
    // In CI (ECS_RELEASE_OIDC=circleci) the first token is minted while the command and the SDK load.
    const mint = await mintEarly(env);
    const ctx: Omit<CliContext, "flags"> = {
      env,
      log,
      redactor,
      clock,
      signal,
      json,
      debug,
      version: VERSION,
      // Redact first, then escape (as the logger): a secret is masked whole.
      print: (text) => io.stdout(printableText(redactor.redact(text))),
      aws: async (beforeClients) => {
        const { resolveAwsSettings } = await import("../core/aws-settings.js");
        const configText = readSharedConfig(env);
        const settings = resolveAwsSettings({ flagRegion: parsed.globals.region, env, configText });
        const region = settings.region;
        if (!region) throw new ValidationError(NO_REGION);
        await beforeClients?.(region, configText);
        // ECS_RELEASE_OIDC=circleci (set by the orb): a fresh OIDC token for every credential renewal.
        const { circleciTokenMinter, freshOidcCredentials } = await import("../aws/oidc-credentials.js");
        const { chainedRoleSettings, oidcRefreshSettings } = await import("../core/oidc-settings.js");
        const { endpointOption } = await import("../aws/client-environment.js");
        const oidc = oidcRefreshSettings(env);
        const sts = endpointOption(env, "STS");
        const { chainedRoleCredentials, webIdentityCredentials } = await import("../aws/chained-credentials.js");
        const first = oidc === undefined ? webIdentityCredentials(env, { region, ...sts }) : freshOidcCredentials(oidc, { mint: mint ?? circleciTokenMinter(env), log, region, ...sts });
        // ECS_RELEASE_DEPLOY_ROLE_ARN (the restricted context): a second hop to the deploy role, with its ExternalId.
        const chain = chainedRoleSettings(env);
        if (chain !== undefined) redactor.add(chain.externalId);
        const credentials = chain === undefined ? first : chainedRoleCredentials(chain, { source: first, env, log, region, ...sts });
        // STS is asked now, while the clients load; their first call shares this answer (or its error).
        credentials?.().catch(() => undefined);
        const { createAwsClients } = await import("../aws/clients.js");
        return createAwsClients({ region, log, env, clock, maxAttempts: settings.maxAttempts, retryMode: settings.retryMode, ...(credentials === undefined ? {} : { credentials }) });
      },
    };
    const outcome = await parsed.execute(ctx);
    if (json) io.stdout(`${redactor.redactJson(outcome.result ?? null, 2)}\n`);
    return outcome.exitCode ?? ExitCode.ok;
  } catch (error) {
    const exitCode = isEcsReleaseError(error) ? error.exitCode : ExitCode.deploymentFailed;
    const message = error instanceof Error ? error.message : String(error);
    log.error(isEcsReleaseError(error) ? message : `unexpected error: ${message} (run with --debug for details; this is a bug)`);
    // A stack has several lines: redacted whole (a secret may span lines), then one log line each.
    if (debug) for (const line of causeChain(error)) for (const part of redactor.redact(line).split("\n")) log.debug(part);
    if (json) {
      const document = {
        error: { name: error instanceof Error ? error.name : "Error", message, exitCode },
        ...(isEcsReleaseError(error) && error.result !== undefined ? { result: error.result } : {}),
      };
      io.stdout(`${redactor.redactJson(document, 2)}\n`);
    }
    return exitCode;
  }
}

/**
 * ECS_RELEASE_OIDC=circleci: starts minting the first token now (aws/oidc-mint.ts), before the command
 * and the AWS SDK load; the minter returned hands it to the first credential renewal. Undefined when
 * the settings are absent or wrong (the command's AWS set-up says why, at the moment it needs them).
 */
async function mintEarly(env: Readonly<Record<string, string | undefined>>): Promise<((audience: string) => Promise<string>) | undefined> {
  const { oidcRefreshSettings } = await import("../core/oidc-settings.js");
  let audience: string | undefined;
  try {
    audience = oidcRefreshSettings(env)?.audience;
  } catch {
    return undefined;
  }
  if (audience === undefined) return undefined;
  const { circleciTokenMinter, mintAhead } = await import("../aws/oidc-mint.js");
  return mintAhead(circleciTokenMinter(env), audience);
}

const NO_REGION = "no AWS region: pass --region, set AWS_REGION, or set region in the profile (AWS_PROFILE, else default) of the shared config file";

/**
 * The shared config file's text (AWS_CONFIG_FILE, else ~/.aws/config with HOME from `env`), or
 * undefined when there is none (https://docs.aws.amazon.com/sdkref/latest/guide/file-location.html).
 */
function readSharedConfig(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const home = env["HOME"] || env["USERPROFILE"];
  const path = env["AWS_CONFIG_FILE"] || (home ? join(home, ".aws", "config") : undefined);
  if (path === undefined) return undefined;
  try {
    return readFileSync(path.startsWith("~/") && home ? join(home, path.slice(2)) : path, "utf8");
  } catch {
    return undefined;
  }
}

function findCommand(name: string): Command {
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    throw new ValidationError(`unknown command "${name}": use one of ${COMMANDS.map((c) => c.name).join(", ")} (see --help)`);
  }
  return command;
}

function causeChain(error: unknown): string[] {
  const lines: string[] = [];
  for (let current = error, depth = 0; current !== undefined && depth < 8; depth++) {
    if (current instanceof Error) {
      lines.push(`${depth === 0 ? "" : "caused by "}${current.stack ?? `${current.name}: ${current.message}`}`);
      current = current.cause;
    } else {
      lines.push(`caused by ${String(current)}`);
      break;
    }
  }
  return lines;
}

/** The longest delay Node's setTimeout honours (2^31-1 ms). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      // setTimeout fires at once past 2^31-1 ms (https://nodejs.org/api/timers.html): never ask it to.
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, Math.min(Math.max(ms, 0), MAX_TIMER_MS));
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};
