/**
 * What a release changes against what runs now (`--dry-run`, cli.md release step 6), and how
 * today's environment drifted from the one an older SHA was released with. Pure.
 *
 * Secrets are masked here, not only by the output redactor: values of SecureStrings are never put
 * into a change; a changed secret is reported as "changed" without values, and a removed variable
 * is reported by name only (its old value may have been a secret we no longer know about).
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
 * The changes from one container environment to another, sorted by name. `isSecret(name)` says
 * which variables are SecureStrings (their values are never put into a change).
 */
export function diffEnvironment(
  before: Pick<ContainerDefinitionInput, "environment" | "secrets">,
  after: Pick<ContainerDefinitionInput, "environment" | "secrets">,
  isSecret: (name: string) => boolean,
): EnvironmentChange[] {
  const old = containerEnvironment(before);
  const next = containerEnvironment(after);
  const changes: EnvironmentChange[] = [];
  for (const name of [...new Set([...old.keys(), ...next.keys()])].sort()) {
    const a = old.get(name);
    const b = next.get(name);
    const secret = isSecret(name);
    if (a === undefined && b !== undefined) {
      changes.push({ kind: "added", name, after: show(b, secret), secret });
    } else if (a !== undefined && b === undefined) {
      changes.push({ kind: "removed", name, secret });
    } else if (a !== undefined && b !== undefined && (a.value !== b.value || a.reference !== b.reference)) {
      changes.push(secret ? { kind: "changed", name, secret } : { kind: "changed", name, before: show(a, false), after: show(b, false), secret });
    }
  }
  return changes;
}

function show(entry: { value: string; reference: boolean }, secret: boolean): string {
  if (entry.reference) return `from ${entry.value}`;
  return secret ? MASK : entry.value;
}

const CONTAINER_SPECIAL = new Set(["name", "image", "environment", "secrets"]);

/** The changes from the running revision to the rendered one. */
export function diffTaskDefinitions(before: TaskDefinitionInput, after: TaskDefinitionInput, isSecret: (name: string) => boolean): TaskDefinitionDiff {
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
    const fields = diffFields(a, b, CONTAINER_SPECIAL);
    const imageChanged = (a.image ?? "") !== (b.image ?? "");
    containers.push({
      name,
      status: imageChanged || environment.length > 0 || fields.length > 0 ? "changed" : "unchanged",
      ...(imageChanged ? { image: { before: a.image ?? "", after: b.image ?? "" } } : {}),
      environment,
      fields,
    });
  }
  return { family: after.family, containers, fields: diffFields(before, after, new Set(["containerDefinitions"])) };
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

function diffFields(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>, skip: ReadonlySet<string>): string[] {
  const fields: string[] = [];
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (skip.has(key)) continue;
    const before = canonicalJson(a[key]);
    const after = canonicalJson(b[key]);
    if (before !== after) fields.push(`${key}: ${shorten(before ?? "(none)")} → ${shorten(after ?? "(none)")}`);
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
