/**
 * The values behind ecs-release's Secrets Manager snapshot references (--secure-strings
 * secretsmanager), read only to compare them (the dry run's diff, a re-release's drift) or to mask
 * them: each version read once per run (GetSecretValue by version id), every value learnt by the
 * redactor before anything can print it.
 */
import type { AwsClients } from "../aws/clients.js";
import { secretVersionString } from "../aws/secrets-manager.js";
import type { Redactor } from "../core/redact.js";
import { inlineSnapshotValues, snapshotReferences, snapshotValues, snapshotVersionKey } from "../core/secret-snapshot.js";

type Containers = Parameters<typeof inlineSnapshotValues>[0];

/** Resolves containers' snapshot references into inline values (core/secret-snapshot.ts: inlineSnapshotValues). */
export type SnapshotResolver = <C extends Containers[number]>(containers: readonly C[]) => Promise<C[]>;

export function snapshotResolver(deps: { readonly aws: Pick<AwsClients, "secretsManager">; readonly signal: AbortSignal; readonly redactor: Redactor }): SnapshotResolver {
  const read = new Map<string, Promise<string | undefined>>();
  return async (containers) => {
    const references = snapshotReferences(containers);
    if (references.length === 0) return [...containers];
    const documents = new Map<string, string>();
    for (const reference of references) {
      const key = snapshotVersionKey(reference.secretArn, reference.versionId);
      const pending = read.get(key) ?? secretVersionString(deps.aws, reference.secretArn, reference.versionId, deps.signal);
      read.set(key, pending);
      const document = await pending;
      if (document === undefined) continue;
      for (const value of snapshotValues(document, reference.keys)) deps.redactor.add(value);
      documents.set(key, document);
    }
    return inlineSnapshotValues(containers, documents);
  };
}
