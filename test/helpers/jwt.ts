/**
 * Unsigned JWTs shaped like CircleCI's OIDC tokens, for the emulator's STS (which checks claims such
 * as `exp`, never signatures). CircleCI's tokens expire one hour after issue:
 * https://circleci.com/docs/openid-connect-tokens/ ("exp: … one hour after the time of issuance").
 */

/** CircleCI's OIDC token lifetime in seconds. */
export const CIRCLECI_TOKEN_LIFETIME_SECONDS = 3600;

/** A JWT with the given claims (`iat` and `exp` in epoch seconds) and a dummy signature. */
export function fakeJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "RS256", typ: "JWT" })}.${part(claims)}.${Buffer.from("not-a-signature").toString("base64url")}`;
}

/** A CircleCI-like token issued at `issuedAtMs` (epoch ms), expiring an hour later. */
export function circleciToken(issuedAtMs: number, audience = "org-id-0000"): string {
  const iat = Math.floor(issuedAtMs / 1000);
  return fakeJwt({ iss: `https://oidc.circleci.com/org/${audience}`, aud: audience, sub: "org/o/project/p/user/u", iat, exp: iat + CIRCLECI_TOKEN_LIFETIME_SECONDS });
}
