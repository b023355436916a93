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

/**
 * Control characters (C0, DEL, C1) and Unicode line separators as visible escapes (`\n`, `\r`,
 * `\x1b`, `\u2028`): one event is one line, and a value such as a cluster name cannot forge a log
 * line or send terminal escape sequences.
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16)}` : `\\x${code.toString(16).padStart(2, "0")}`;
  });
}

/**
 * What a command prints on stdout (tables, JSON), as the logger treats a line: every line's control
 * characters escaped, the line breaks between lines kept. Text from ECS (a stopped reason, an event
 * message, a tag) cannot move the cursor, clear the screen or forge a row.
 */
export function printableText(text: string): string {
  return text.split("\n").map(escapeControlCharacters).join("\n");
}

/** A logger writing one timestamped line per event (UTC, to the second), secrets masked, control characters escaped. */
export function createLogger(options: LogOptions): Logger & { error(message: string): void } {
  const line = (prefix: string, colour: string, message: string): void => {
    const stamp = new Date(options.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
    // Redact first, then escape: a secret is masked whole, even one with a newline in it.
    const text = escapeControlCharacters(options.redactor.redact(`${prefix}${message}`));
    options.write(options.color && colour ? `${DIM}${stamp}${RESET} ${colour}${text}${RESET}\n` : `${stamp} ${text}\n`);
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
