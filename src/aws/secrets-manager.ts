/**
 * AWS Secrets Manager: the environment's SecureStrings snapshot (core/secret-snapshot.ts). A new
 * version per release (PutSecretValue; CreateSecret the first time), and the versions a secret still
 * has (ListSecretVersionIds with IncludeDeprecated: Secrets Manager removes unlabelled versions past
 * 100, never one younger than 24 hours: https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html).
 */
import { CreateSecretCommand, GetSecretValueCommand, ListSecretVersionIdsCommand, PutSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { awsErrorCode } from "../core/aws-errors.js";
import type { SnapshotVersion } from "../core/secret-snapshot.js";
import { awsCall } from "./call.js";
import type { AwsClients } from "./clients.js";

/**
 * Writes `document` as a new version of the secret `name` (created when it does not exist yet);
 * `token` makes a retried call idempotent (ClientRequestToken). The value never leaves this call.
 */
export async function putSnapshot(clients: Pick<AwsClients, "secretsManager">, name: string, document: string, token: string): Promise<SnapshotVersion> {
  const put = async (): Promise<SnapshotVersion | undefined> => {
    try {
      const out = await clients.secretsManager.send(new PutSecretValueCommand({ SecretId: name, SecretString: document, ClientRequestToken: token }));
      return { arn: out.ARN ?? "", versionId: out.VersionId ?? "" };
    } catch (error) {
      if (awsErrorCode(error) === "ResourceNotFoundException") return undefined;
      return awsCall("PutSecretValue", name, () => Promise.reject(error));
    }
  };
  const first = await put();
  if (first !== undefined) return first;
  try {
    const created = await clients.secretsManager.send(
      new CreateSecretCommand({ Name: name, SecretString: document, ClientRequestToken: token, Description: "ecs-release: the SecureStrings of each release (one version per release)", Tags: [{ Key: "ecs-release:managed", Value: "true" }] }),
    );
    return { arn: created.ARN ?? "", versionId: created.VersionId ?? "" };
  } catch (error) {
    // Another release of the environment created it meanwhile: add this release's version to it.
    if (awsErrorCode(error) !== "ResourceExistsException") return awsCall("CreateSecret", name, () => Promise.reject(error));
  }
  return (await put()) ?? awsCall("PutSecretValue", name, () => Promise.reject(new Error(`secret ${name} exists and does not`)));
}

/** Every version id the secret still has (deprecated ones included); empty when the secret is gone. */
export async function secretVersionIds(clients: Pick<AwsClients, "secretsManager">, secretArn: string, signal?: AbortSignal): Promise<Set<string>> {
  const ids = new Set<string>();
  let token: string | undefined;
  do {
    const next = token;
    let page;
    try {
      page = await clients.secretsManager.send(new ListSecretVersionIdsCommand({ SecretId: secretArn, IncludeDeprecated: true, MaxResults: 100, ...(next ? { NextToken: next } : {}) }), signal ? { abortSignal: signal } : {});
    } catch (error) {
      if (awsErrorCode(error) === "ResourceNotFoundException") return ids;
      return awsCall("ListSecretVersionIds", secretArn, () => Promise.reject(error));
    }
    for (const version of page.Versions ?? []) if (version.VersionId) ids.add(version.VersionId);
    token = page.NextToken || undefined;
  } while (token);
  return ids;
}

/**
 * One version's SecretString (GetSecretValue by VersionId); undefined when Secrets Manager no longer
 * has it. The caller only masks what it holds: the value is never worded here.
 */
export async function secretVersionString(clients: Pick<AwsClients, "secretsManager">, secretArn: string, versionId: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    const out = await clients.secretsManager.send(new GetSecretValueCommand({ SecretId: secretArn, VersionId: versionId }), signal ? { abortSignal: signal } : {});
    return out.SecretString;
  } catch (error) {
    if (awsErrorCode(error) === "ResourceNotFoundException") return undefined;
    return awsCall("GetSecretValue", secretArn, () => Promise.reject(error));
  }
}
