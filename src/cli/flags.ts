import { parseArgs } from "node:util";
import { parseDuration } from "../core/duration.js";
import { closestName } from "../core/did-you-mean.js";
import { ValidationError } from "../core/errors.js";
import { envVarName, type FlagSpec, type FlagValues, type ParsedFlags } from "./flag-spec.js";

/**
 * The longest duration any flag takes: 24 hours. No wait of a release, rollback or task is meant to
 * last longer, and it keeps every timer far below Node's limit of 2^31-1 ms (about 24.8 days), past
 * which setTimeout fires at once and a wait turns into a hot loop
 * (https://nodejs.org/api/timers.html#settimeoutcallback-delay-args).
 */
export const MAX_DURATION_MS = 24 * 3_600_000;


/**
 * Parses argv for a command with its flags, falling back to `ECS_RELEASE_*` variables, then to each
 * flag's default. A flag on the command line wins over the variable; an empty variable counts as
 * unset (the orb passes every parameter, empty ones too). A list variable is split on newlines when
 * it has any, else on commas, so values that contain commas can be passed one per line.
 *
 * Refuses (one ValidationError line each, exit 2) unknown flags, values of the wrong type or form,
 * values outside a flag's `choices`, and — all named at once — required flags without a value.
 */
export function parseFlags<const F extends readonly FlagSpec[]>(specs: F, argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ParsedFlags<F> {
  return parseCommandLine(specs, [], argv, env).flags;
}

/**
 * {@link parseFlags} for a command's flags and the global ones (one command line holds both), each
 * set's values typed from its definitions. Required flags are not checked when the global `help`
 * flag is given: help needs no other flag, and the command does not run.
 */
export function parseCommandLine<const F extends readonly FlagSpec[], const G extends readonly FlagSpec[]>(
  specs: F,
  globalSpecs: G,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): { readonly flags: ParsedFlags<F>; readonly globals: ParsedFlags<G> } {
  const all = [...specs, ...globalSpecs];
  const options: Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }> = {};
  for (const spec of all) {
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
    throw new ValidationError(describeParseError(error, all.map((spec) => spec.name)));
  }
  if (parsed.positionals.length > 0) {
    throw new ValidationError(`unexpected argument "${parsed.positionals[0]}": flags take the form --name value (see --help)`);
  }

  const valuesOf = (set: readonly FlagSpec[]) => Object.fromEntries(set.map((spec) => [spec.name, valueOf(spec, parsed.values[spec.name], env)]));
  const flags = valuesOf(specs);
  const globals = valuesOf(globalSpecs);
  if (globals["help"] !== true) requireFlags(all, { ...flags, ...globals });
  // The one place values meet their types: each was converted by its own definition just above.
  return { flags: flags as ParsedFlags<F>, globals: globals as ParsedFlags<G> };
}

/** One flag's value: from argv, else its variable, else its default; `false` / `[]` for an absent switch / list. */
function valueOf(spec: FlagSpec, fromArgv: string | boolean | Array<string | boolean> | undefined, env: Readonly<Record<string, string | undefined>>): string | boolean | string[] | number | undefined {
  if (fromArgv !== undefined) return convert(spec, fromArgv as string | boolean | string[], `--${spec.name}`);
  const variable = envVarName(spec.name);
  const fromEnv = env[variable];
  if (fromEnv !== undefined && fromEnv !== "") return convert(spec, fromEnv, variable);
  if (spec.default !== undefined) return convert(spec, spec.type === "list" ? [spec.default] : spec.default, `--${spec.name}`);
  return spec.type === "boolean" ? false : spec.type === "list" ? [] : undefined;
}

/** Throws one ValidationError naming every required flag that has no value. */
function requireFlags(specs: readonly FlagSpec[], values: FlagValues): void {
  const missing = specs.filter((s) => {
    const value = values[s.name];
    return s.required && (value === undefined || (Array.isArray(value) && value.length === 0));
  });
  if (missing.length > 0) {
    const names = missing.map((s) => `--${s.name} (or ${envVarName(s.name)})`).join(", ");
    throw new ValidationError(`missing required ${missing.length === 1 ? "flag" : "flags"}: ${names}`);
  }
}

function convert(spec: FlagSpec, raw: string | boolean | string[], source: string): string | boolean | string[] | number {
  const value = convertType(spec, raw, source);
  const { form, choices } = spec;
  if (choices !== undefined && typeof value === "string" && !choices.includes(value)) {
    throw new ValidationError(`${source} must be ${choiceList(choices)}, not "${value}"`);
  }
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

/** `"a" or "b"`, `"a", "b" or "c"`. */
export function choiceList(choices: readonly string[]): string {
  const quoted = choices.map((choice) => `"${choice}"`);
  return quoted.length <= 1 ? (quoted[0] ?? "") : `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`;
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

function describeParseError(error: unknown, names: readonly string[]): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) {
    const meant = closestName((unknown[1] ?? "").replace(/^-+/, "").split("=")[0] ?? "", names);
    return `unknown flag ${unknown[1]}${meant !== undefined ? `: did you mean --${meant}?` : " (see --help)"}`;
  }
  const missingValue = /Option '([^']+?)(?: <value>)?' argument missing/.exec(message);
  if (missingValue) return `flag ${missingValue[1]} needs a value`;
  const ambiguous = /Option '([^']+?)(?: <value>)?' argument is ambiguous/.exec(message);
  if (ambiguous) return `flag ${ambiguous[1]} needs a value (to give one that starts with "-", write ${ambiguous[1]}=VALUE)`;
  return message.split("\n")[0] ?? message;
}
