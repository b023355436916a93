import { parseArgs } from "node:util";
import { parseDuration } from "../core/duration.js";
import { ValidationError } from "../core/errors.js";

/** The kinds of value a flag takes. `list` is repeatable; `duration` is parsed to milliseconds. */
export type FlagType = "string" | "boolean" | "list" | "duration" | "integer";

/** One command-line flag, also readable from `ECS_RELEASE_<NAME_IN_UPPER_SNAKE>`. */
export interface FlagSpec {
  /** kebab-case, without the leading dashes. */
  readonly name: string;
  readonly type: FlagType;
  readonly description: string;
  /** What the value looks like in --help (`SHA`, `DURATION`, ...). */
  readonly placeholder?: string;
  readonly short?: string;
  readonly required?: boolean;
  /** Default as a user would type it (`"30m"`, `"20"`, ...), shown in --help. */
  readonly default?: string;
  /**
   * For lists: a command-line value is one item even when it has commas (`--env K=a,b`). Other lists
   * also split command-line values on commas (`--service web,worker`).
   */
  readonly keepCommas?: boolean;
  /** For strings and list items: the form AWS accepts, checked before any call (one line, exit 2). */
  readonly form?: { readonly pattern: RegExp; readonly rule: string };
}

/**
 * The longest duration any flag takes: 24 hours. No wait of a release, rollback or task is meant to
 * last longer, and it keeps every timer far below Node's limit of 2^31-1 ms (about 24.8 days), past
 * which setTimeout fires at once and a wait turns into a hot loop
 * (https://nodejs.org/api/timers.html#settimeoutcallback-delay-args).
 */
export const MAX_DURATION_MS = 24 * 3_600_000;

/** Parsed flag values: strings, booleans, string lists, milliseconds (durations) and integers. */
export type FlagValues = Record<string, string | boolean | string[] | number | undefined>;

/** Flags every command takes. */
export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  { name: "region", type: "string", placeholder: "REGION", description: "AWS region (else AWS_REGION, AWS_DEFAULT_REGION)" },
  { name: "json", type: "boolean", description: "print one JSON result document on stdout" },
  { name: "debug", type: "boolean", description: "log more detail, and the cause chain of errors" },
  { name: "help", short: "h", type: "boolean", description: "show help" },
];

/** `ssm-path` → `ECS_RELEASE_SSM_PATH`. */
export function envVarName(flag: string): string {
  return `ECS_RELEASE_${flag.replace(/-/g, "_").toUpperCase()}`;
}

/**
 * Parses argv for a command with its flags, falling back to `ECS_RELEASE_*` variables.
 * A flag on the command line wins over the variable; an empty variable counts as unset (the orb
 * passes every parameter, empty ones too). A list variable is split on newlines when it has any,
 * else on commas, so values that contain commas can be passed one per line.
 */
export function parseFlags(specs: readonly FlagSpec[], argv: readonly string[], env: Readonly<Record<string, string | undefined>>): FlagValues {
  const options: Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }> = {};
  for (const spec of specs) {
    options[spec.name] = {
      type: spec.type === "boolean" ? "boolean" : "string",
      ...(spec.type === "list" ? { multiple: true } : {}),
      ...(spec.short ? { short: spec.short } : {}),
    };
  }
  let parsed: { values: Record<string, string | boolean | Array<string | boolean> | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new ValidationError(describeParseError(error));
  }
  if (parsed.positionals.length > 0) {
    throw new ValidationError(`unexpected argument "${parsed.positionals[0]}": flags take the form --name value (see --help)`);
  }

  const values: FlagValues = {};
  for (const spec of specs) {
    const fromArgv = parsed.values[spec.name];
    if (fromArgv !== undefined) {
      values[spec.name] = convert(spec, fromArgv as string | boolean | string[], `--${spec.name}`);
      continue;
    }
    const variable = envVarName(spec.name);
    const fromEnv = env[variable];
    if (fromEnv !== undefined && fromEnv !== "") {
      values[spec.name] = convert(spec, fromEnv, variable);
      continue;
    }
    if (spec.default !== undefined) values[spec.name] = convert(spec, spec.type === "list" ? [spec.default] : spec.default, `--${spec.name}`);
  }
  return values;
}

/** Throws one ValidationError naming every required flag that has no value (unless --help was asked). */
export function requireFlags(specs: readonly FlagSpec[], values: FlagValues): void {
  const missing = specs.filter((s) => s.required && (values[s.name] === undefined || (Array.isArray(values[s.name]) && (values[s.name] as string[]).length === 0)));
  if (missing.length > 0) {
    const names = missing.map((s) => `--${s.name} (or ${envVarName(s.name)})`).join(", ");
    throw new ValidationError(`missing required ${missing.length === 1 ? "flag" : "flags"}: ${names}`);
  }
}

function convert(spec: FlagSpec, raw: string | boolean | string[], source: string): string | boolean | string[] | number {
  const value = convertType(spec, raw, source);
  const { form } = spec;
  if (form !== undefined) {
    for (const item of typeof value === "string" ? [value] : Array.isArray(value) ? value : []) {
      if (!form.pattern.test(item)) throw new ValidationError(`${source} "${item}" is not valid: ${form.rule}`);
    }
  }
  return value;
}

function convertType(spec: FlagSpec, raw: string | boolean | string[], source: string): string | boolean | string[] | number {
  switch (spec.type) {
    case "boolean":
      return typeof raw === "boolean" ? raw : parseBoolean(String(raw), source);
    case "list": {
      const items = Array.isArray(raw) ? (spec.keepCommas ? raw : raw.flatMap((item) => item.split(","))) : splitList(String(raw));
      return items.map((item) => item.trim()).filter((item) => item !== "");
    }
    case "duration": {
      const ms = parseDuration(String(raw), source);
      // A zero timeout or poll interval is never meant: it would write and give up at once, or poll without pause.
      if (ms <= 0) throw new ValidationError(`${source} must be longer than 0, e.g. 90s, 15m or 1h (use --no-wait not to wait at all)`);
      if (!(ms <= MAX_DURATION_MS)) throw new ValidationError(`${source} "${String(raw).trim()}" is longer than the longest allowed, 24h`);
      return ms;
    }
    case "integer": {
      const text = String(raw).trim();
      if (!/^\d+$/.test(text)) throw new ValidationError(`${source} must be a whole number, not "${raw}"`);
      return Number(text);
    }
    case "string":
      return String(raw);
  }
}

function splitList(text: string): string[] {
  return text.includes("\n") ? text.split(/\r?\n/) : text.split(",");
}

function parseBoolean(text: string, source: string): boolean {
  const normalized = text.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(normalized)) return true;
  if (["0", "false", "no", "off"].includes(normalized)) return false;
  throw new ValidationError(`${source} must be true or false, not "${text}"`);
}

function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown flag ${unknown[1]} (see --help)`;
  const missingValue = /Option '([^']+?)(?: <value>)?' argument missing/.exec(message);
  if (missingValue) return `flag ${missingValue[1]} needs a value`;
  const ambiguous = /Option '([^']+?)(?: <value>)?' argument is ambiguous/.exec(message);
  if (ambiguous) return `flag ${ambiguous[1]} needs a value (to give one that starts with "-", write ${ambiguous[1]}=VALUE)`;
  return message.split("\n")[0] ?? message;
}
