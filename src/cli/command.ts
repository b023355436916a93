import type { AwsClients } from "../aws/clients.js";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/logger.js";
import type { Redactor } from "../core/redact.js";
import { GLOBAL_FLAGS } from "./flag-definitions.js";
import type { FlagSpec, ParsedFlags } from "./flag-spec.js";
import { parseCommandLine } from "./flags.js";

/**
 * Everything a command adapter gets from the CLI. The only door to `process`. `F` is the command's
 * flag set: `flags` is typed from it (see {@link ParsedFlags}).
 */
export interface CliContext<F extends readonly FlagSpec[] = readonly []> {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The command's flags, parsed: environment fallbacks and defaults applied, required ones present, choices checked. */
  readonly flags: ParsedFlags<F>;
  readonly log: Logger;
  /** Every SecureString value read is added here; all output passes through it. */
  readonly redactor: Redactor;
  readonly clock: Clock;
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
  readonly json: boolean;
  readonly debug: boolean;
  readonly version: string;
  /** Writes to stdout (secrets masked). Under --json the CLI prints the result itself. */
  print(text: string): void;
  /**
   * The AWS clients (region checked; built on first use). `beforeClients`, when given, is called with
   * the region and the shared config file's text, and waited for, before the credential sources and
   * the clients load (rollback's early read).
   */
  aws(beforeClients?: (region: string, configText: string | undefined) => Promise<void>): Promise<AwsClients>;
}

/** What a command adapter returns: the result document (printed under --json) and the exit code. */
export interface CommandOutcome {
  readonly result: unknown;
  readonly exitCode?: number;
}

/** A CLI command as defined: its flags and help, and the adapter from its typed flags to `commands/<name>.run`. */
export interface CommandSpec<F extends readonly FlagSpec[]> {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** A paragraph for the command's --help. */
  readonly description: string;
  readonly examples: readonly string[];
  /** The command's flags (a `defineFlags` set), besides the global ones. */
  readonly flags: F;
  /** Whether this command line writes to AWS (an SSH re-run refuses it: core/oidc-settings.ts); default: it does not. */
  readonly writes?: (flags: ParsedFlags<F>) => boolean;
  /** Runs the command. Human output goes through ctx.log/ctx.print; the result is printed under --json. */
  execute(ctx: CliContext<F>): Promise<CommandOutcome>;
}

/** A command line parsed for one command: the global flags, and the command bound to its own typed flags. */
export interface ParsedCommand {
  readonly globals: ParsedFlags<typeof GLOBAL_FLAGS>;
  /** Whether it writes to AWS. */
  readonly writes: boolean;
  execute(ctx: Omit<CliContext, "flags">): Promise<CommandOutcome>;
}

/** A CLI command as main() runs it: its help, and its flag types kept inside {@link Command.parse}. */
export interface Command extends Omit<CommandSpec<readonly FlagSpec[]>, "execute" | "writes"> {
  /** Parses the command line with the command's and the global flags (see `parseCommandLine`); throws ValidationError on bad input. */
  parse(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ParsedCommand;
}

/** A command whose `execute` gets flags typed from its flag set, parsed by those same definitions. */
export function defineCommand<const F extends readonly FlagSpec[]>(spec: CommandSpec<F>): Command {
  const { execute, writes, ...help } = spec;
  return {
    ...help,
    parse(argv, env) {
      const { flags, globals } = parseCommandLine(spec.flags, GLOBAL_FLAGS, argv, env);
      return { globals, writes: writes?.(flags) ?? false, execute: (ctx) => execute({ ...ctx, flags }) };
    },
  };
}
