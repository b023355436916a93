/**
 * Unsigned JWTs shaped like CircleCI's OIDC tokens, for the emulator's STS (which checks claims such
 * as `exp`, `iss`, `aud`, `sub`, never signatures). CircleCI's tokens expire one hour after issue;
 * the V2 token ($CIRCLE_OIDC_TOKEN_V2, and what `circleci run oidc get` mints) has
 * `sub` = `org/ORG/project/PROJECT/user/USER/vcs-origin/ORIGIN/vcs-ref/REF` and the additional claims
 * `oidc.circleci.com/project-id`, `…/context-ids`, `…/vcs-origin`, `…/vcs-ref`, `…/ssh-rerun`
 * (https://circleci.com/docs/openid-connect-tokens/, "Format of the OpenID Connect ID token").
 */

/** CircleCI's OIDC token lifetime in seconds. */
export const CIRCLECI_TOKEN_LIFETIME_SECONDS = 3600;

/** The CircleCI organization, project and repository the tests' jobs belong to. */
export const CIRCLECI_FIXTURE = {
  orgId: "0b7e1a52-8a4e-4e0b-9f39-2a4c0d5e6f70",
  projectId: "6c1f0c2e-57b2-4c7d-bb7e-0e5b5c9a1d11",
  userId: "9d1e4b6a-3c2f-4e8d-a7b5-1f0e2d3c4b5a",
  vcsOrigin: "github.com/acme/shop",
} as const;

/** A JWT with the given claims (`iat` and `exp` in epoch seconds) and a dummy signature. */
export function fakeJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "RS256", typ: "JWT" })}.${part(claims)}.${Buffer.from("not-a-signature").toString("base64url")}`;
}

/** What a job's V2 token says (defaults: the fixture project on main, not an SSH re-run). */
export interface CircleciTokenOptions {
  readonly orgId?: string;
  readonly projectId?: string;
  readonly vcsOrigin?: string;
  readonly vcsRef?: string;
  readonly contextIds?: readonly string[];
  readonly sshRerun?: boolean;
  /** The audience (default: the organization id, CircleCI's default). */
  readonly audience?: string;
}

/** The claims of a CircleCI V2 token issued at `issuedAtMs` (epoch ms), expiring an hour later. */
export function circleciClaims(issuedAtMs: number, options: CircleciTokenOptions = {}): Record<string, unknown> {
  const iat = Math.floor(issuedAtMs / 1000);
  const org = options.orgId ?? CIRCLECI_FIXTURE.orgId;
  const project = options.projectId ?? CIRCLECI_FIXTURE.projectId;
  const origin = options.vcsOrigin ?? CIRCLECI_FIXTURE.vcsOrigin;
  const ref = options.vcsRef ?? "refs/heads/main";
  return {
    iss: `https://oidc.circleci.com/org/${org}`,
    aud: options.audience ?? org,
    sub: `org/${org}/project/${project}/user/${CIRCLECI_FIXTURE.userId}/vcs-origin/${origin}/vcs-ref/${ref}`,
    iat,
    exp: iat + CIRCLECI_TOKEN_LIFETIME_SECONDS,
    "oidc.circleci.com/project-id": project,
    "oidc.circleci.com/context-ids": [...(options.contextIds ?? [])],
    "oidc.circleci.com/vcs-origin": origin,
    "oidc.circleci.com/vcs-ref": ref,
    "oidc.circleci.com/ssh-rerun": options.sshRerun ?? false,
  };
}

/** A CircleCI V2 token issued at `issuedAtMs` (epoch ms), expiring an hour later. */
export function circleciToken(issuedAtMs: number, options: CircleciTokenOptions = {}): string {
  return fakeJwt(circleciClaims(issuedAtMs, options));
}
