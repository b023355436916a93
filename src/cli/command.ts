import type { AwsClients } from "../aws/clients.js";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/logger.js";
import { ValidationError } from "../core/errors.js";
import type { Redactor } from "../core/redact.js";
import type { FlagSpec, FlagValues } from "./flags.js";

/** Everything a command adapter gets from the CLI. The only door to `process`. */
export interface CliContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The command's flags and the global ones, parsed (environment fallbacks applied). */
  readonly flags: FlagValues;
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
  /** The AWS clients (region checked; built on first use). */
  aws(): Promise<AwsClients>;
}

/** What a command adapter returns: the result document (printed under --json) and the exit code. */
export interface CommandOutcome {
  readonly result: unknown;
  readonly exitCode?: number;
}

/** A CLI command: its flags and help, and the adapter from flags to `commands/<name>.run`. */
export interface CommandSpec {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** A paragraph for the command's --help. */
  readonly description: string;
  readonly examples: readonly string[];
  readonly flags: readonly FlagSpec[];
  /** Runs the command. Human output goes through ctx.log/ctx.print; the result is printed under --json. */
  execute(ctx: CliContext): Promise<CommandOutcome>;
}

/** Helpers for adapters: typed reads of parsed flags. */
export const read = {
  string: (flags: FlagValues, name: string): string | undefined => (typeof flags[name] === "string" ? (flags[name] as string) : undefined),
  /** A flag its spec marks `required` (parseFlags/requireFlags refused its absence already). */
  required: (flags: FlagValues, name: string): string => {
    const value = flags[name];
    if (typeof value !== "string") throw new ValidationError(`missing required flag: --${name}`);
    return value;
  },
  list: (flags: FlagValues, name: string): string[] => (Array.isArray(flags[name]) ? (flags[name] as string[]) : []),
  boolean: (flags: FlagValues, name: string): boolean => flags[name] === true,
  number: (flags: FlagValues, name: string): number | undefined => (typeof flags[name] === "number" ? (flags[name] as number) : undefined),
};
