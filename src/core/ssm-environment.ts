/**
 * SSM parameters → container environment (cli.md, release step 2). Pure.
 *
 * Rules:
 * - the variable name is the parameter's path below the SSM path with `/` turned into `_`, case kept
 *   (`/app/prod/db/HOST` under `/app/prod` → `db_HOST`);
 * - every name must be a valid environment variable name (`[A-Za-z_][A-Za-z0-9_]*`) and unique;
 *   all offenders are reported at once;
 * - `--env K=V` adds literal variables; on a clash SSM wins and the clash is reported;
 * - mode `environment` inlines every value (SecureStrings decrypted); mode `secrets` references
 *   SecureStrings by parameter ARN in `secrets[].valueFrom` instead.
 */
import { ValidationError } from "./errors.js";

/** How SecureString parameters reach the container. */
/**
 * How SecureStrings reach the containers: `secretsmanager` (a Secrets Manager version per release,
 * referenced by version id: core/secret-snapshot.ts), `environment` (values inline in the task
 * definition, readable by anyone with ecs:DescribeTaskDefinition) or `secrets` (references to the
 * SSM parameters, which ECS cannot pin to a version: a rollback gets today's values).
 */
export type SecureStringMode = "secretsmanager" | "environment" | "secrets";

/** One parameter as GetParametersByPath returns it (decrypted). */
export interface SsmParameter {
  /** Full name, e.g. `/app/prod/db/HOST`. */
  readonly name: string;
  readonly value: string;
  /** `String`, `StringList` or `SecureString`. */
  readonly type: string;
  /** The parameter's ARN (used as `valueFrom` in `secrets` mode). */
  readonly arn?: string | undefined;
}

/** A variable of the rendered environment, with where it came from. */
export interface EnvironmentVariable {
  readonly name: string;
  readonly value: string;
  /** True for a SecureString: its value must never be printed. */
  readonly secure: boolean;
  /** The parameter it came from, or undefined for an `--env` literal. */
  readonly parameter?: string;
}

/** An ECS `secrets[]` entry. */
export interface SecretReference {
  readonly name: string;
  readonly valueFrom: string;
}

/** The environment to give the application container(s). */
export interface RenderedEnvironment {
  /** Inline variables, sorted by name. */
  readonly environment: readonly EnvironmentVariable[];
  /** `secrets[]` entries (mode `secrets` only), sorted by name. */
  readonly secrets: readonly SecretReference[];
  /** Names of the variables whose value is secret (SecureStrings, inline or referenced). */
  readonly secureNames: readonly string[];
  /** `--env` names that SSM overrode (SSM wins). */
  readonly clashes: readonly string[];
}

/** What buildEnvironment needs. */
export interface BuildEnvironmentInput {
  /** The `--ssm-path` as given. */
  readonly path: string;
  readonly parameters: readonly SsmParameter[];
  /** `--env K=V` items, as given. */
  readonly literals?: readonly string[];
  readonly mode?: SecureStringMode;
}

const VALID_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Normalises an `--ssm-path`: leading `/`, no trailing `/`. Refuses an empty or relative path, and
 * the root (`/`, `//`): a release from the root would inline every parameter of the Region, other
 * environments' SecureStrings included — a path needs at least one segment. Segments use SSM's
 * name characters `a-zA-Z0-9_.-`, none empty (PutParameter's naming constraints:
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html).
 */
export function normalizeSsmPath(path: string): string {
  const trimmed = path.trim();
  if (trimmed === "" || !trimmed.startsWith("/")) {
    throw new ValidationError(`--ssm-path "${path}" must be an absolute parameter path such as /app/prod`);
  }
  const normalized = trimSsmPath(trimmed);
  if (normalized === "/") {
    throw new ValidationError(`--ssm-path "${path}" is the root of Parameter Store: it would put every parameter of the Region (other environments' secrets included) into the task definition; name the environment's path, such as /app/prod`);
  }
  if (!/^(\/[A-Za-z0-9_.-]+)+$/.test(normalized)) {
    throw new ValidationError(`--ssm-path "${path}" is not a parameter path: segments of letters, digits, _ . and - separated by single slashes, such as /app/prod`);
  }
  return normalized;
}

/** The path without trailing `/` (the root stays `/`). */
function trimSsmPath(path: string): string {
  const withoutTrailing = path.trim().replace(/\/+$/, "");
  return withoutTrailing === "" ? "/" : withoutTrailing;
}

/** The environment variable name for a parameter under `path`: `/app/prod/db/HOST` → `db_HOST`. */
export function mapParameterName(path: string, parameterName: string): string {
  const root = trimSsmPath(path);
  const prefix = root === "/" ? "/" : `${root}/`;
  const relative = parameterName.startsWith(prefix) ? parameterName.slice(prefix.length) : parameterName.replace(/^\//, "");
  return relative.replace(/\//g, "_");
}

/** True when `name` is a valid environment variable name. */
export function isValidEnvironmentName(name: string): boolean {
  return VALID_NAME.test(name);
}

/** Parses `--env K=V` items; throws one ValidationError listing every malformed or invalid one. */
export function parseLiteralEnvironment(items: readonly string[]): Array<{ name: string; value: string }> {
  const problems: string[] = [];
  const byName = new Map<string, string>();
  for (const item of items) {
    const equals = item.indexOf("=");
    if (equals <= 0) {
      problems.push(`"${item}" is not NAME=VALUE`);
      continue;
    }
    const name = item.slice(0, equals);
    if (!isValidEnvironmentName(name)) problems.push(`"${name}" is not a valid variable name`);
    else byName.set(name, item.slice(equals + 1));
  }
  if (problems.length > 0) {
    throw new ValidationError(`--env: ${problems.join("; ")} (names: letters, digits and _, not starting with a digit)`, { problems });
  }
  return [...byName].map(([name, value]) => ({ name, value }));
}

/**
 * Builds the environment from the parameters under `path` plus `--env` literals. Throws one
 * ValidationError naming every parameter whose name is invalid or collides with another's.
 */
export function buildEnvironment(input: BuildEnvironmentInput): RenderedEnvironment {
  const mode = input.mode ?? "environment";
  const byName = new Map<string, SsmParameter[]>();
  for (const parameter of input.parameters) {
    const name = mapParameterName(input.path, parameter.name);
    byName.set(name, [...(byName.get(name) ?? []), parameter]);
  }

  const invalid: string[] = [];
  const collisions: string[] = [];
  for (const [name, parameters] of byName) {
    if (!isValidEnvironmentName(name)) invalid.push(`${parameters.map((p) => p.name).join(", ")} → "${name}"`);
    else if (parameters.length > 1) collisions.push(`${parameters.map((p) => p.name).join(" and ")} → ${name}`);
  }
  const problems = [...invalid.map((p) => `invalid name ${p}`), ...collisions.map((p) => `colliding ${p}`)];
  if (problems.length > 0) {
    const parts: string[] = [];
    if (invalid.length > 0) parts.push(`${invalid.length} parameter${invalid.length === 1 ? "" : "s"} map to invalid environment variable names: ${invalid.join("; ")}`);
    if (collisions.length > 0) parts.push(`${collisions.length === 1 ? "two parameters map" : "parameters map"} to the same variable name: ${collisions.join("; ")}`);
    throw new ValidationError(
      `${parts.join("; ")} — rename them in SSM under ${input.path} (names: letters, digits and _, not starting with a digit; "/" becomes "_")`,
      { problems },
    );
  }

  const literals = parseLiteralEnvironment(input.literals ?? []);
  const environment: EnvironmentVariable[] = [];
  const secrets: SecretReference[] = [];
  const secureNames: string[] = [];
  const clashes: string[] = [];
  for (const [name, [parameter]] of byName) {
    if (!parameter) continue;
    const secure = parameter.type === "SecureString";
    if (secure) secureNames.push(name);
    if (secure && mode === "secrets") secrets.push({ name, valueFrom: parameter.arn ?? parameter.name });
    else environment.push({ name, value: parameter.value, secure, parameter: parameter.name });
  }
  for (const literal of literals) {
    if (byName.has(literal.name)) clashes.push(literal.name);
    else environment.push({ name: literal.name, value: literal.value, secure: false });
  }
  const byKey = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return { environment: environment.sort(byKey), secrets: secrets.sort(byKey), secureNames: secureNames.sort(), clashes: clashes.sort() };
}
