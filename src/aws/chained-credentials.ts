/**
 * The chained set-up's second hop: with the OIDC role's credentials (the job's token, renewed as
 * oidc-credentials.ts does), sts:AssumeRole the environment's deploy role with the ExternalId that
 * only the restricted context holds (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
 *
 * Role chaining limits a session to one hour ("Role chaining",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining),
 * so long jobs renew both hops: the deploy role's credentials five minutes before they expire, each
 * time with the OIDC role's current credentials, which the STS client renews from a fresh token when
 * they expire. The ExternalId is never logged.
 */
import { AssumeRoleCommand, STSClient } from "@aws-sdk/nested-clients/sts";
import { fromTokenFile } from "@aws-sdk/credential-provider-web-identity";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@aws-sdk/types";
import type { Logger } from "../core/logger.js";
import { chainedRoleLine, type ChainedRoleSettings } from "../core/oidc-settings.js";
import { environmentCredentials } from "./client-environment.js";

/** The deploy role's credentials are renewed this long before they expire (the SDK's own window). */
const REFRESH_WINDOW_MS = 5 * 60_000;
/** Role chaining's longest session. */
const CHAINED_SESSION_SECONDS = 3600;

/** What the second hop needs. */
export interface ChainDeps {
  /** The OIDC role's credentials (the fresh-token provider), else read from `env`. */
  readonly source: AwsCredentialIdentityProvider | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: Logger;
  readonly region: string;
  readonly endpoint?: string;
}

/**
 * The job's web identity from `env` (AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE, exported by
 * configure_aws_oidc), as the SDK's default chain would read them from process.env — but from the
 * environment the CLI was given. Undefined when keys in `env` come first (the default chain's order)
 * or a profile (AWS_PROFILE) does, or the variables are not set.
 */
export function webIdentityCredentials(env: Readonly<Record<string, string | undefined>>, client: { readonly region: string; readonly endpoint?: string }): AwsCredentialIdentityProvider | undefined {
  const roleArn = env["AWS_ROLE_ARN"];
  const webIdentityTokenFile = env["AWS_WEB_IDENTITY_TOKEN_FILE"];
  if (!roleArn || !webIdentityTokenFile || environmentCredentials(env) !== undefined || env["AWS_PROFILE"]) return undefined;
  const clientConfig = { region: client.region, ...(client.endpoint === undefined ? {} : { endpoint: client.endpoint }) };
  return sharedCredentials(fromTokenFile({ roleArn, webIdentityTokenFile, roleSessionName: env["AWS_ROLE_SESSION_NAME"] || "ecs-release", clientConfig }));
}

/** One provider for every client: asked again only five minutes before the credentials expire (concurrent asks share one call). */
function sharedCredentials(provider: () => Promise<AwsCredentialIdentity>): AwsCredentialIdentityProvider {
  let cached: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  return async () => {
    if (cached !== undefined && (cached.expiration === undefined || cached.expiration.getTime() - Date.now() > REFRESH_WINDOW_MS)) return cached;
    pending ??= provider().finally(() => (pending = undefined));
    cached = await pending;
    return cached;
  };
}

/** The first hop's credentials: the fresh-token provider, else the web identity or keys in `env`; undefined: the SDK's default chain. */
function sourceCredentials(deps: ChainDeps): AwsCredentialIdentityProvider | undefined {
  if (deps.source !== undefined) return deps.source;
  const keys = environmentCredentials(deps.env);
  return keys === undefined ? webIdentityCredentials(deps.env, deps) : async () => keys;
}

/** A provider of the deploy role's credentials, shared by every client (one renewal serves them all). */
export function chainedRoleCredentials(settings: ChainedRoleSettings, deps: ChainDeps): AwsCredentialIdentityProvider {
  const source = sourceCredentials(deps);
  const sts = new STSClient({ region: deps.region, ...(deps.endpoint === undefined ? {} : { endpoint: deps.endpoint }), ...(source === undefined ? {} : { credentials: source }) });
  return sharedCredentials(async (): Promise<AwsCredentialIdentity> => {
    const answer = await sts.send(
      new AssumeRoleCommand({ RoleArn: settings.roleArn, RoleSessionName: settings.sessionName, ExternalId: settings.externalId, DurationSeconds: CHAINED_SESSION_SECONDS }),
    );
    const credentials = answer.Credentials;
    if (credentials?.AccessKeyId === undefined || credentials.SecretAccessKey === undefined) throw new Error(`sts:AssumeRole of ${settings.roleArn} returned no credentials`);
    deps.log.debug(chainedRoleLine(settings.roleArn, credentials.Expiration));
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      ...(credentials.SessionToken === undefined ? {} : { sessionToken: credentials.SessionToken }),
      ...(credentials.Expiration === undefined ? {} : { expiration: credentials.Expiration }),
    };
  });
}
