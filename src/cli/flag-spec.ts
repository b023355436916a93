/**
 * What a flag definition is (src/cli/flag-definitions.ts holds them all) and the types a parsed flag
 * set gets from its definitions. Types and identity functions only: the orb generator reads the
 * definitions through this module without loading the parser or anything else of the CLI.
 */

/** The kinds of value a flag takes. `list` is repeatable; `duration` is parsed to milliseconds. */
export type FlagType = "string" | "boolean" | "list" | "duration" | "integer";

/**
 * One command-line flag, also readable from `ECS_RELEASE_<NAME_IN_UPPER_SNAKE>`: the one definition
 * of its name, type, default, allowed values and help. The value a command gets is typed from it
 * ({@link FlagValue}); the orb's parameter for it takes its type and default from it too
 * (`fromFlag` in src/orb/parameters.ts). Define flags with {@link defineFlag} / {@link defineFlags}
 * so their literal types are kept.
 */
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
  /** For strings: the only values allowed, checked by the parser (one line, exit 2) and shown in --help. */
  readonly choices?: readonly string[];
  /**
   * For lists: a command-line value is one item even when it has commas (`--env K=a,b`). Other lists
   * also split command-line values on commas (`--service web,worker`).
   */
  readonly keepCommas?: boolean;
  /** For strings and list items: the form AWS accepts, checked before any call (one line, exit 2). */
  readonly form?: { readonly pattern: RegExp; readonly rule: string };
}

/** A flag definition with its literal types kept (`type: "duration"`, `default: "30m"`, ...). */
export function defineFlag<const F extends FlagSpec>(flag: F): F {
  return flag;
}

/** A command's flags, in the order --help lists them, with their literal types kept. */
export function defineFlags<const F extends readonly FlagSpec[]>(flags: F): F {
  return flags;
}

/** A flag set by name (`byName(PUSH_FLAGS).repository`), for code that needs one definition of it. */
export function byName<const F extends readonly FlagSpec[]>(flags: F): { readonly [S in F[number] as S["name"]]: S } {
  return Object.fromEntries(flags.map((flag) => [flag.name, flag])) as { readonly [S in F[number] as S["name"]]: S };
}

/** True when the flag always has a value after parsing: it has a default, or it is required. */
type AlwaysGiven<F extends FlagSpec> = F extends { readonly default: string } ? true : F extends { readonly required: true } ? true : false;

/** The value of a given flag: one of its choices, a string, a boolean, a list, or a number (ms for durations). */
type GivenValue<F extends FlagSpec> = F extends { readonly type: "boolean" }
  ? boolean
  : F extends { readonly type: "list" }
    ? string[]
    : F extends { readonly type: "duration" | "integer" }
      ? number
      : F extends { readonly choices: readonly (infer C extends string)[] }
        ? C
        : string;

/**
 * The parsed value of flag `F`: booleans are `false` and lists `[]` when not given; other flags are
 * `undefined` when not given, unless they have a default or are required.
 */
export type FlagValue<F extends FlagSpec> = F extends { readonly type: "boolean" | "list" } ? GivenValue<F> : AlwaysGiven<F> extends true ? GivenValue<F> : GivenValue<F> | undefined;

/** Parsed flag values of any flag set: strings, booleans, string lists, milliseconds (durations) and integers. */
export type FlagValues = Readonly<Record<string, string | boolean | string[] | number | undefined>>;

/** The parsed values of a flag set, by flag name, each typed by {@link FlagValue} (untyped {@link FlagValues} for a set of unknown flags). */
export type ParsedFlags<F extends readonly FlagSpec[]> = string extends F[number]["name"] ? FlagValues : { readonly [S in F[number] as S["name"]]: FlagValue<S> };

/** `ssm-path` → `ECS_RELEASE_SSM_PATH`. */
export function envVarName(flag: string): string {
  return `ECS_RELEASE_${flag.replace(/-/g, "_").toUpperCase()}`;
}
