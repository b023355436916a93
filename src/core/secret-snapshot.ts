/**
 * `--secure-strings secretsmanager`: each release snapshots the environment's SecureStrings into one
 * AWS Secrets Manager secret per environment (a JSON document, name → value; each release a new
 * secret version) and the revision references each value by ARN, JSON key and version id, as ECS
 * documents it: `arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-xxxxxx:json-key:version-stage:version-id`
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html).
 * So the revision pins exactly the values it was released with, DescribeTaskDefinition shows only
 * references, and reading them takes the execution role's secretsmanager:GetSecretValue on that one
 * secret. Pure.
 */
import type { TaskDefinitionInput } from "./template.js";

/** The secret of an environment: `ecs-release` + the SSM path (`/platform/prod` → `ecs-release/platform/prod`). */
export function snapshotSecretName(ssmPath: string): string {
  return `ecs-release${ssmPath}`;
}

/** The secret's JSON document: every SecureString of the environment, by variable name, keys sorted. */
export function snapshotDocument(environment: ReadonlyArray<{ readonly name: string; readonly value: string; readonly secure: boolean }>): string {
  const secure = environment.filter((e) => e.secure).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return JSON.stringify(Object.fromEntries(secure.map((e) => [e.name, e.value])));
}

/** A secret version written by the release. */
export interface SnapshotVersion {
  /** The secret's full ARN (with its random suffix). */
  readonly arn: string;
  readonly versionId: string;
}

/** ECS's `valueFrom` of one JSON key of a version: `ARN:json-key::version-id` (no version stage). */
export function snapshotValueFrom(version: SnapshotVersion, key: string): string {
  return `${version.arn}:${key}::${version.versionId}`;
}

/**
 * The revision with every inline SecureString (a name in `secureNames`) of every container moved to
 * `secrets[]`, referencing `version`: what is registered. Other variables stay inline.
 */
export function referenceSnapshot(input: TaskDefinitionInput, secureNames: readonly string[], version: SnapshotVersion): TaskDefinitionInput {
  const secure = new Set(secureNames);
  return {
    ...input,
    containerDefinitions: input.containerDefinitions.map((container) => {
      const moved = (container.environment ?? []).filter((e) => secure.has(e.name ?? ""));
      if (moved.length === 0) return container;
      const secrets = [...(container.secrets ?? []).filter((s) => !secure.has(s.name ?? "")), ...moved.map((e) => ({ name: e.name ?? "", valueFrom: snapshotValueFrom(version, e.name ?? "") }))];
      return { ...container, environment: (container.environment ?? []).filter((e) => !secure.has(e.name ?? "")), secrets: secrets.sort((a, b) => ((a.name ?? "") < (b.name ?? "") ? -1 : (a.name ?? "") > (b.name ?? "") ? 1 : 0)) };
    }),
  };
}

/** A Secrets Manager reference of a revision, parsed. */
export interface SecretsManagerReference {
  /** The secret's ARN (up to its name and suffix). */
  readonly secretArn: string;
  readonly jsonKey: string;
  readonly versionStage: string;
  readonly versionId: string;
}

/** Parses a Secrets Manager `valueFrom` (ECS's format above); undefined for any other (SSM, a bare name). */
export function parseSecretsManagerValueFrom(valueFrom: string): SecretsManagerReference | undefined {
  const parts = valueFrom.split(":");
  if (parts.length < 7 || parts[0] !== "arn" || parts[2] !== "secretsmanager" || parts[5] !== "secret") return undefined;
  return { secretArn: parts.slice(0, 7).join(":"), jsonKey: parts[7] ?? "", versionStage: parts[8] ?? "", versionId: parts[9] ?? "" };
}

/** True for the ARN of one of ecs-release's own snapshots (a secret named `ecs-release/…`). */
export function isSnapshotSecret(secretArn: string): boolean {
  return (secretArn.split(":")[6] ?? "").startsWith("ecs-release/");
}

/**
 * The versions of ecs-release's own snapshots a revision pins (secret ARN → version ids), from its
 * containers' `secrets[]`: what rollback and prune check are still there, with ListSecretVersionIds,
 * which their policies allow on those secrets only (src/iam/policies.ts). Other secrets are the team's:
 * left out.
 */
export function pinnedSecretVersions(containers: ReadonlyArray<{ readonly secrets?: ReadonlyArray<{ readonly valueFrom?: string | undefined }> | undefined }>): Map<string, Set<string>> {
  const pinned = new Map<string, Set<string>>();
  for (const container of containers) {
    for (const secret of container.secrets ?? []) {
      const reference = parseSecretsManagerValueFrom(secret.valueFrom ?? "");
      if (reference === undefined || reference.versionId === "" || !isSnapshotSecret(reference.secretArn)) continue;
      pinned.set(reference.secretArn, new Set([...(pinned.get(reference.secretArn) ?? []), reference.versionId]));
    }
  }
  return pinned;
}

/** One snapshot version a revision references, with the JSON keys it reads from it. */
export interface SnapshotReference {
  readonly secretArn: string;
  readonly versionId: string;
  readonly keys: readonly string[];
}

/**
 * The versions of ecs-release's own snapshots (secrets named `ecs-release/…`) the containers
 * reference by version id, with the keys each reads; other Secrets Manager references are left out.
 */
export function snapshotReferences(containers: ReadonlyArray<{ readonly secrets?: ReadonlyArray<{ readonly valueFrom?: string | undefined }> | undefined }>): SnapshotReference[] {
  const byVersion = new Map<string, { secretArn: string; versionId: string; keys: Set<string> }>();
  for (const container of containers) {
    for (const secret of container.secrets ?? []) {
      const reference = parseSecretsManagerValueFrom(secret.valueFrom ?? "");
      if (reference === undefined || reference.versionId === "" || reference.jsonKey === "" || !isSnapshotSecret(reference.secretArn)) continue;
      const key = `${reference.secretArn} ${reference.versionId}`;
      const entry = byVersion.get(key) ?? { secretArn: reference.secretArn, versionId: reference.versionId, keys: new Set<string>() };
      entry.keys.add(reference.jsonKey);
      byVersion.set(key, entry);
    }
  }
  return [...byVersion.values()].map((e) => ({ secretArn: e.secretArn, versionId: e.versionId, keys: [...e.keys].sort() }));
}

/** The non-empty string values of `keys` in a snapshot document (to mask them); none when it is not a JSON object. */
export function snapshotValues(document: string, keys: readonly string[]): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    return [];
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return [];
  const values = parsed as Record<string, unknown>;
  return keys.flatMap((key) => (typeof values[key] === "string" && values[key] !== "" ? [values[key] as string] : []));
}

/** The key of one snapshot version in a map of documents: `ARN VERSION-ID`. */
export function snapshotVersionKey(secretArn: string, versionId: string): string {
  return `${secretArn} ${versionId}`;
}

type WithSecrets = { readonly environment?: ReadonlyArray<{ readonly name?: string | undefined; readonly value?: string | undefined }> | undefined; readonly secrets?: ReadonlyArray<{ readonly name?: string | undefined; readonly valueFrom?: string | undefined }> | undefined };

/**
 * The containers as their tasks see them: each reference to a snapshot version whose document is in
 * `documents` (snapshotVersionKey → the version's JSON) becomes the inline value it names. For
 * comparing values (the dry run's diff, a re-release's drift), never for registering; references
 * whose version is unknown stay references.
 */
export function inlineSnapshotValues<C extends WithSecrets>(containers: readonly C[], documents: ReadonlyMap<string, string>): C[] {
  return containers.map((container) => {
    const resolved = (container.secrets ?? []).map((secret) => {
      const reference = parseSecretsManagerValueFrom(secret.valueFrom ?? "");
      const document = reference === undefined ? undefined : documents.get(snapshotVersionKey(reference.secretArn, reference.versionId));
      const [value] = document === undefined || reference === undefined ? [] : snapshotValues(document, [reference.jsonKey]);
      return { secret, value };
    });
    if (resolved.every((r) => r.value === undefined)) return container;
    return {
      ...container,
      environment: [...(container.environment ?? []), ...resolved.flatMap((r) => (r.value === undefined ? [] : [{ name: r.secret.name, value: r.value }]))],
      secrets: resolved.filter((r) => r.value === undefined).map((r) => r.secret),
    };
  });
}
