/**
 * What a release changes against what runs now (`--dry-run`, cli.md release step 6), and how
 * today's environment drifted from the one an older SHA was released with. Pure.
 *
 * Secrets are masked here, not only by the output redactor: values of SecureStrings are never put
 * into a change; a changed secret is reported as "changed" without values, and a removed variable
 * is reported by name only. A value read from an existing revision is shown only when it is
 * provably not secret: the revision's own record (TAG.secureNames) says which names were
 * SecureStrings when it was released, and this one was not (and it is not one today). Otherwise
 * — no record, or a secret then and a String, an `--env` or a template literal now — it is MASK.
 * Every field is redacted before it is shortened, so a cut never leaves a secret's prefix.
 */
import { MASK } from "./redact.js";
import type { ContainerDefinitionInput, TaskDefinitionInput } from "./template.js";

/** One environment variable changed. Values are already masked where secret. */
export interface EnvironmentChange {
  readonly kind: "added" | "removed" | "changed";
  readonly name: string;
  /** Old value (changed only; omitted for secrets). */
  readonly before?: string;
  /** New value (added and changed; MASK or omitted for secrets). */
  readonly after?: string;
  /** True when the variable is a secret (SecureString): no values shown. */
  readonly secret: boolean;
}

/** Changes of one container. */
export interface ContainerDiff {
  readonly name: string;
  readonly status: "added" | "removed" | "changed" | "unchanged";
  readonly image?: { readonly before: string; readonly after: string };
  readonly environment: readonly EnvironmentChange[];
  /** Other changed fields: `field: before → after` (compact JSON). */
  readonly fields: readonly string[];
}

/** Changes of a whole task definition. */
export interface TaskDefinitionDiff {
  readonly family: string;
  readonly containers: readonly ContainerDiff[];
  /** Changed task-level fields: `field: before → after` (compact JSON). */
  readonly fields: readonly string[];
}

/** A container's environment as a map: inline values, and `secrets` as `valueFrom` references. */
export function containerEnvironment(container: Pick<ContainerDefinitionInput, "environment" | "secrets">): Map<string, { value: string; reference: boolean }> {
  const map = new Map<string, { value: string; reference: boolean }>();
  for (const entry of container.environment ?? []) if (entry.name !== undefined) map.set(entry.name, { value: entry.value ?? "", reference: false });
  for (const entry of container.secrets ?? []) if (entry.name !== undefined) map.set(entry.name, { value: entry.valueFrom ?? "", reference: true });
  return map;
}

/**
 * Which values may be shown. A function is today's SecureStrings only, and every value read from
 * the old revision is then masked; an object adds the old revision's record.
 */
export type Secrecy =
  | ((name: string) => boolean)
  | {
      /** True for today's SecureStrings. */
      readonly isSecret: (name: string) => boolean;
      /**
       * The names the old revision records as SecureStrings (recordedSecureNames), or undefined
       * when it has no record: then no old value is provably not secret.
       */
      readonly recordedBefore: ReadonlySet<string> | undefined;
    };

/** True when an old value of `name` may be printed: recorded as not secret then, and not secret now. */
function oldValueIsPlain(secrecy: Secrecy, name: string): boolean {
  if (typeof secrecy === "function") return false;
  return secrecy.recordedBefore !== undefined && !secrecy.recordedBefore.has(name) && !secrecy.isSecret(name);
}

function isSecretNow(secrecy: Secrecy, name: string): boolean {
  return typeof secrecy === "function" ? secrecy(name) : secrecy.isSecret(name);
}

/**
 * The changes from one container environment to another, sorted by name. Today's SecureStrings
 * never have a value in a change; an old value is shown only when `secrecy` proves it was not secret.
 */
export function diffEnvironment(
  before: Pick<ContainerDefinitionInput, "environment" | "secrets">,
  after: Pick<ContainerDefinitionInput, "environment" | "secrets">,
  secrecy: Secrecy,
): EnvironmentChange[] {
  const old = containerEnvironment(before);
  const next = containerEnvironment(after);
  const changes: EnvironmentChange[] = [];
  for (const name of [...new Set([...old.keys(), ...next.keys()])].sort()) {
    const a = old.get(name);
    const b = next.get(name);
    const secret = isSecretNow(secrecy, name);
    if (a === undefined && b !== undefined) {
      changes.push({ kind: "added", name, after: show(b, secret), secret });
    } else if (a !== undefined && b === undefined) {
      changes.push({ kind: "removed", name, secret });
    } else if (a !== undefined && b !== undefined && (a.value !== b.value || a.reference !== b.reference)) {
      changes.push(secret ? { kind: "changed", name, secret } : { kind: "changed", name, before: show(a, !oldValueIsPlain(secrecy, name)), after: show(b, false), secret });
    }
  }
  return changes;
}

/**
 * The values of the variables a revision's record names as SecureStrings (any container, inline
 * `environment` only): the release adds them to the redactor, so a secret demoted or deleted since
 * is still masked in every output, not only in the diff.
 */
export function recordedSecretValues(containers: ReadonlyArray<Pick<ContainerDefinitionInput, "environment">>, recorded: ReadonlySet<string> | undefined): string[] {
  if (recorded === undefined || recorded.size === 0) return [];
  return containers.flatMap((c) => (c.environment ?? []).filter((e) => e.name !== undefined && recorded.has(e.name) && (e.value ?? "") !== "").map((e) => e.value ?? ""));
}

function show(entry: { value: string; reference: boolean }, secret: boolean): string {
  if (entry.reference) return `from ${entry.value}`;
  return secret ? MASK : entry.value;
}

const CONTAINER_SPECIAL = new Set(["name", "image", "environment", "secrets"]);

/**
 * The changes from the running revision to the rendered one. `redact` masks known secrets in each
 * changed field before it is shortened to 120 characters (redact, then cut).
 */
export function diffTaskDefinitions(before: TaskDefinitionInput, after: TaskDefinitionInput, secrecy: Secrecy, redact: (text: string) => string = (text) => text): TaskDefinitionDiff {
  const isSecret = secrecy;
  const containers: ContainerDiff[] = [];
  const oldByName = new Map(before.containerDefinitions.map((c) => [c.name ?? "", c]));
  const newByName = new Map(after.containerDefinitions.map((c) => [c.name ?? "", c]));
  for (const name of [...new Set([...oldByName.keys(), ...newByName.keys()])]) {
    const a = oldByName.get(name);
    const b = newByName.get(name);
    if (!a) {
      containers.push({ name, status: "added", environment: diffEnvironment({}, b ?? {}, isSecret), fields: [] });
      continue;
    }
    if (!b) {
      containers.push({ name, status: "removed", environment: [], fields: [] });
      continue;
    }
    const environment = diffEnvironment(a, b, isSecret);
    const fields = diffFields(a, b, CONTAINER_SPECIAL, redact);
    const imageChanged = (a.image ?? "") !== (b.image ?? "");
    containers.push({
      name,
      status: imageChanged || environment.length > 0 || fields.length > 0 ? "changed" : "unchanged",
      ...(imageChanged ? { image: { before: a.image ?? "", after: b.image ?? "" } } : {}),
      environment,
      fields,
    });
  }
  return { family: after.family, containers, fields: diffFields(before, after, new Set(["containerDefinitions"]), redact) };
}

/** Human lines for a diff, indented under a heading. */
export function formatTaskDefinitionDiff(diff: TaskDefinitionDiff, heading: string): string[] {
  const lines = [heading];
  const changed = diff.containers.filter((c) => c.status !== "unchanged");
  if (changed.length === 0 && diff.fields.length === 0) return [...lines, "  no changes besides a new revision number"];
  for (const field of diff.fields) lines.push(`  ~ ${field}`);
  for (const container of changed) {
    if (container.status === "added") lines.push(`  + container ${container.name}`);
    else if (container.status === "removed") lines.push(`  - container ${container.name}`);
    else lines.push(`  container ${container.name}:`);
    if (container.image) lines.push(`    image: ${container.image.before} → ${container.image.after}`);
    for (const field of container.fields) lines.push(`    ~ ${field}`);
    lines.push(...formatEnvironmentChanges(container.environment, "    "));
  }
  return lines;
}

/** Human lines for environment changes: `+ NAME=value`, `- NAME`, `~ NAME: old → new`, `~ NAME (secret) changed`. */
export function formatEnvironmentChanges(changes: readonly EnvironmentChange[], indent = "  "): string[] {
  return changes.map((change) => {
    switch (change.kind) {
      case "added":
        return `${indent}+ ${change.name}${change.after !== undefined && !change.after.startsWith("from ") ? "=" : " "}${change.after ?? ""}`;
      case "removed":
        return `${indent}- ${change.name}`;
      case "changed":
        return change.secret ? `${indent}~ ${change.name} (secret) changed` : `${indent}~ ${change.name}: ${change.before ?? ""} → ${change.after ?? ""}`;
    }
  });
}

function diffFields(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>, skip: ReadonlySet<string>, redact: (text: string) => string): string[] {
  const fields: string[] = [];
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (skip.has(key)) continue;
    const before = canonicalJson(a[key]);
    const after = canonicalJson(b[key]);
    if (before !== after) fields.push(`${key}: ${shorten(redact(before ?? "(none)"))} → ${shorten(redact(after ?? "(none)"))}`);
  }
  return fields;
}

/** JSON with object keys sorted, so equal values compare equal whatever the key order. */
export function canonicalJson(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) : v,
  );
}

function shorten(text: string, max = 120): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
