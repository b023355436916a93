/**
 * When and how ecs-release mints its own CircleCI OIDC tokens (aws/oidc-credentials.ts does the
 * minting): read from the environment the orb sets. Pure; a missing setting is a ValidationError
 * naming the variable to set.
 */
import { ValidationError } from "./errors.js";

/** The variable with which the orb turns the fresh-token provider on (value `circleci`). */
export const OIDC_MODE_VARIABLE = "ECS_RELEASE_OIDC";
/** The `aud` claim to ask for; default: the `aud` of the job's own token (the organization id). */
export const OIDC_AUDIENCE_VARIABLE = "ECS_RELEASE_OIDC_AUDIENCE";

/** The settings the provider reads from the environment. */
export interface OidcRefreshSettings {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly audience: string;
  readonly tokenFile: string | undefined;
}

/**
 * The settings when `ECS_RELEASE_OIDC=circleci`, undefined otherwise (the SDK's default chain is used).
 * Throws a ValidationError naming what is missing.
 */
export function oidcRefreshSettings(env: Readonly<Record<string, string | undefined>>): OidcRefreshSettings | undefined {
  const mode = env[OIDC_MODE_VARIABLE];
  if (mode === undefined || mode === "") return undefined;
  if (mode !== "circleci") throw new ValidationError(`${OIDC_MODE_VARIABLE}=${mode} is not supported: use "circleci" or leave it unset`);
  const roleArn = env["AWS_ROLE_ARN"];
  if (!roleArn) throw new ValidationError(`${OIDC_MODE_VARIABLE}=circleci needs AWS_ROLE_ARN (the role to assume; the orb's configure_aws_oidc sets it)`);
  const audience = env[OIDC_AUDIENCE_VARIABLE] || jwtAudience(env["CIRCLE_OIDC_TOKEN_V2"] ?? env["CIRCLE_OIDC_TOKEN"] ?? "");
  if (!audience) {
    throw new ValidationError(`${OIDC_MODE_VARIABLE}=circleci needs the token audience: set ${OIDC_AUDIENCE_VARIABLE} (your CircleCI organization id) or run inside a job with CIRCLE_OIDC_TOKEN_V2`);
  }
  return { roleArn, sessionName: env["AWS_ROLE_SESSION_NAME"] || "ecs-release", audience, tokenFile: env["AWS_WEB_IDENTITY_TOKEN_FILE"] || undefined };
}

/** The `aud` claim of a JWT (a string, or the first of a list); "" when unreadable. Nothing is verified. */
export function jwtAudience(token: string): string {
  const aud = jwtClaims(token)?.["aud"];
  if (typeof aud === "string") return aud;
  if (Array.isArray(aud) && typeof aud[0] === "string") return aud[0];
  return "";
}

/**
 * Why `circleci run oidc get` gave no token: the CLI is missing (it is in every CircleCI job), else
 * the first line it printed on stderr, else the process error.
 */
export function mintFailedMessage(input: { readonly notOnPath: boolean; readonly stderr: string; readonly message?: string }): string {
  const reason = input.notOnPath ? "the circleci CLI is not on PATH (it is in every CircleCI job)" : (input.stderr.trim().split("\n")[0] ?? "") || (input.message ?? "no token printed");
  return `could not mint a CircleCI OIDC token with \`circleci run oidc get\`: ${reason}`;
}

/** The debug line after a renewal: the role assumed with a fresh token, and until when (never the token). */
export function assumedRoleLine(roleArn: string, expiration: Date | undefined): string {
  return `AWS credentials: assumed ${roleArn} with a fresh CircleCI OIDC token${expiration ? `, valid until ${expiration.toISOString()}` : ""}`;
}

/** The deploy role of the chained set-up (in the environment's restricted context only). */
export const DEPLOY_ROLE_VARIABLE = "ECS_RELEASE_DEPLOY_ROLE_ARN";
/** The ExternalId the deploy role's trust requires (a secret of the restricted context: never printed). */
export const DEPLOY_EXTERNAL_ID_VARIABLE = "ECS_RELEASE_DEPLOY_EXTERNAL_ID";

/**
 * What STS accepts as an ExternalId: "Length Constraints: Minimum length of 2. Maximum length of 1224.
 * Pattern: [\w+=,.@:/-]*" (AssumeRole, https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html);
 * anything else is a ValidationError from STS, so refuse it before any AWS call.
 */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/** The second hop of the chained set-up: from the OIDC role to the deploy role. */
export interface ChainedRoleSettings {
  readonly roleArn: string;
  readonly externalId: string;
  readonly sessionName: string;
}

/**
 * The deploy role to assume with the OIDC role's credentials (sts:AssumeRole with the ExternalId),
 * when the context sets ECS_RELEASE_DEPLOY_ROLE_ARN; undefined otherwise. One without the other is a
 * ValidationError naming the missing variable.
 */
export function chainedRoleSettings(env: Readonly<Record<string, string | undefined>>): ChainedRoleSettings | undefined {
  const roleArn = env[DEPLOY_ROLE_VARIABLE] || undefined;
  const externalId = env[DEPLOY_EXTERNAL_ID_VARIABLE] || undefined;
  if (roleArn === undefined && externalId === undefined) return undefined;
  if (roleArn === undefined) throw new ValidationError(`${DEPLOY_EXTERNAL_ID_VARIABLE} is set but ${DEPLOY_ROLE_VARIABLE} is not: set both in the environment's restricted context`);
  if (externalId === undefined) throw new ValidationError(`${DEPLOY_ROLE_VARIABLE} is set but ${DEPLOY_EXTERNAL_ID_VARIABLE} is not: the deploy role's trust requires the ExternalId of the restricted context`);
  if (!EXTERNAL_ID.test(externalId)) {
    throw new ValidationError(
      `${DEPLOY_EXTERNAL_ID_VARIABLE} is not an ExternalId STS accepts (2 to 1224 letters, digits or _+=,.@:/-, no spaces): generate one with \`openssl rand -hex 24\` and set it in the restricted context and in the deploy role's trust`,
    );
  }
  return { roleArn, externalId, sessionName: (env["AWS_ROLE_SESSION_NAME"] || "ecs-release").slice(0, 64) };
}

/** The debug line after the second hop (never the ExternalId). */
export function chainedRoleLine(roleArn: string, expiration: Date | undefined): string {
  return `AWS credentials: assumed the deploy role ${roleArn} from the OIDC role${expiration ? `, valid until ${expiration.toISOString()}` : ""}`;
}

/** The variable that lets write commands run in an SSH re-run (an accident guard, not a security boundary). */
export const ALLOW_SSH_RERUN_VARIABLE = "ECS_RELEASE_ALLOW_SSH_RERUN";

/** The claims of a JWT (not verified); undefined when it is not one. */
export function jwtClaims(token: string): Record<string, unknown> | undefined {
  const payload = token.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    return typeof claims === "object" && claims !== null && !Array.isArray(claims) ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Refuses a write command in a job CircleCI started with "Rerun job with SSH": its token says so
 * (`oidc.circleci.com/ssh-rerun`, https://circleci.com/docs/openid-connect-tokens/), which STS cannot
 * read, so the role would let the shell deploy. An accident guard (someone typing a release into the
 * debug shell), not a security boundary: whoever has the shell has the credentials and can unset
 * anything. ECS_RELEASE_ALLOW_SSH_RERUN=1 lets it run.
 */
export function checkSshRerun(command: string, writes: boolean, env: Readonly<Record<string, string | undefined>>): void {
  if (!writes || env[ALLOW_SSH_RERUN_VARIABLE] === "1") return;
  const claims = jwtClaims(env["CIRCLE_OIDC_TOKEN_V2"] ?? env["CIRCLE_OIDC_TOKEN"] ?? "");
  if (claims?.["oidc.circleci.com/ssh-rerun"] !== true) return;
  throw new ValidationError(
    `refusing to run ${command} in a job re-run with SSH (its OIDC token says oidc.circleci.com/ssh-rerun): run it from a normal job, or set ${ALLOW_SSH_RERUN_VARIABLE}=1 if you mean it (an accident guard, not a security boundary)`,
  );
}
