/**
 * AWS credentials that outlive CircleCI's OIDC token.
 *
 * A CircleCI OIDC token expires one hour after it is issued (https://circleci.com/docs/openid-connect-tokens/,
 * claim `exp`). The SDK's web identity provider (AWS_WEB_IDENTITY_TOKEN_FILE) re-reads the same file
 * each time it renews the role's credentials, so after an hour it sends an expired token and STS
 * answers ExpiredTokenException: a long pre-deploy migration plus a slow rollout fails on credentials.
 *
 * When the orb says so (`ECS_RELEASE_OIDC=circleci`, exported by its `configure_aws_oidc` command),
 * the CLI uses this provider instead: each time the SDK needs credentials (the first call, and again
 * five minutes before they expire) it mints a fresh token inside the job with
 * `circleci run oidc get --claims '{"aud":"<audience>"}'` (https://circleci.com/docs/oidc-tokens-with-custom-claims/)
 * and exchanges it with sts:AssumeRoleWithWebIdentity (the SDK's own `fromWebToken`, as AWS suggests for
 * long-lived clients in aws/aws-sdk-js-v3#5270). The fresh token is also written to
 * AWS_WEB_IDENTITY_TOKEN_FILE, so other tools in the job that read it see a valid token. The token
 * itself is never logged.
 */
import { randomBytes } from "node:crypto";
import { renameSync, writeFileSync } from "node:fs";
import { fromWebToken } from "@aws-sdk/credential-provider-web-identity";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@aws-sdk/types";
import type { Logger } from "../core/logger.js";
import { assumedRoleLine, type OidcRefreshSettings } from "../core/oidc-settings.js";
import type { TokenMinter } from "./oidc-mint.js";

/** The SDK renews credentials this long before they expire (its own window, 5 minutes). */
const REFRESH_WINDOW_MS = 5 * 60_000;

export { circleciTokenMinter, type TokenMinter } from "./oidc-mint.js";

/**
 * Writes the token to a new file beside `path` (0600, created exclusively) and renames it over `path`:
 * a link planted at `path` is replaced, never followed, so the token is not written through it.
 */
function replaceTokenFile(path: string, token: string): void {
  const fresh = `${path}.${randomBytes(6).toString("hex")}`;
  writeFileSync(fresh, token, { mode: 0o600, flag: "wx" });
  renameSync(fresh, path);
}

/**
 * A credential provider that mints a fresh OIDC token for every renewal and assumes the role with it.
 * Shared by every client of the CLI: one renewal serves them all (cached until five minutes before the
 * credentials expire, on the same clock the SDK uses).
 */
export function freshOidcCredentials(settings: OidcRefreshSettings, deps: { readonly mint: TokenMinter; readonly log: Logger; readonly region: string; readonly endpoint?: string }): AwsCredentialIdentityProvider {
  let cached: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  const renew = async (properties?: Parameters<AwsCredentialIdentityProvider>[0]): Promise<AwsCredentialIdentity> => {
    const token = await deps.mint(settings.audience);
    if (settings.tokenFile !== undefined) replaceTokenFile(settings.tokenFile, token);
    const credentials = await fromWebToken({ roleArn: settings.roleArn, roleSessionName: settings.sessionName, webIdentityToken: token, clientConfig: { region: deps.region, ...(deps.endpoint === undefined ? {} : { endpoint: deps.endpoint }) } })(properties);
    deps.log.debug(assumedRoleLine(settings.roleArn, credentials.expiration));
    return credentials;
  };
  return async (properties) => {
    if (cached?.expiration !== undefined && cached.expiration.getTime() - Date.now() > REFRESH_WINDOW_MS) return cached;
    pending ??= renew(properties).finally(() => (pending = undefined));
    cached = await pending;
    return cached;
  };
}
