import type { Logger } from "../core/logger.js";
import type { Redactor } from "../core/redact.js";

/** Where and how the CLI writes progress lines. */
export interface LogOptions {
  readonly write: (text: string) => void;
  readonly redactor: Redactor;
  readonly debug: boolean;
  readonly color: boolean;
  readonly now: () => number;
}

const YELLOW = "\u001b[33m";
const RED = "\u001b[31m";
const DIM = "\u001b[2m";
const RESET = "\u001b[0m";

/** A logger writing one timestamped line per event (UTC, to the second), secrets masked. */
export function createLogger(options: LogOptions): Logger & { error(message: string): void } {
  const line = (prefix: string, colour: string, message: string): void => {
    const stamp = new Date(options.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
    const text = options.redactor.redact(`${prefix}${message}`);
    for (const part of text.split("\n")) {
      options.write(options.color && colour ? `${DIM}${stamp}${RESET} ${colour}${part}${RESET}\n` : `${stamp} ${part}\n`);
    }
  };
  return {
    info: (message) => line("", "", message),
    warn: (message) => line("warning: ", YELLOW, message),
    error: (message) => line("error: ", RED, message),
    debug: (message) => {
      if (options.debug) line("debug: ", DIM, message);
    },
  };
}

/** Colour only on a terminal, and never with NO_COLOR set (https://no-color.org). */
export function useColor(env: Readonly<Record<string, string | undefined>>, isTty: boolean): boolean {
  return isTty && (env["NO_COLOR"] === undefined || env["NO_COLOR"] === "") && env["TERM"] !== "dumb";
}
