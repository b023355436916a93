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

/** The secret versions a revision pins (secret ARN → version ids), from its containers' `secrets[]`. */
export function pinnedSecretVersions(containers: ReadonlyArray<{ readonly secrets?: ReadonlyArray<{ readonly valueFrom?: string | undefined }> | undefined }>): Map<string, Set<string>> {
  const pinned = new Map<string, Set<string>>();
  for (const container of containers) {
    for (const secret of container.secrets ?? []) {
      const reference = parseSecretsManagerValueFrom(secret.valueFrom ?? "");
      if (reference === undefined || reference.versionId === "") continue;
      pinned.set(reference.secretArn, new Set([...(pinned.get(reference.secretArn) ?? []), reference.versionId]));
    }
  }
  return pinned;
}
