/**
 * Expiring credentials (shared/spec/emulator.md, "Fidelity"): what moto's STS leaves out.
 *
 * moto's AssumeRoleWithWebIdentity never looks at the WebIdentityToken and never enforces the
 * Expiration of the credentials it returns (moto/sts/models.py: `assume_role_with_web_identity`
 * is `assume_role`). Real STS does both:
 * - a web identity token whose `exp` has passed is refused with ExpiredTokenException (HTTP 400),
 *   "Token expired: current date/time <now> must be before the expiration date/time<exp>" — STS's
 *   wording as reported in aws/aws-sdk-java-v2#5709 and awslabs/aws-orbit-workbench#771; the error's
 *   documentation: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
 *   ("The web identity token that was passed is expired or is not valid").
 * - temporary credentials stop working at their Expiration: every call signed with them answers
 *   "The security token included in the request is expired" — code ExpiredTokenException for JSON
 *   protocol services (ECS, SSM, ECR), ExpiredToken (HTTP 403) for query protocol services
 *   (https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html).
 *
 * And what moto leaves out of AssumeRoleWithWebIdentity and AssumeRole altogether: it hands out
 * credentials for any role, whatever its trust policy says. Here STS decides as AWS does
 * ({@link StsSimulation.authorize}): the role must exist (in moto's IAM), a web identity token's issuer
 * must be an IAM OIDC provider of the account whose client ids include the token's `aud`, and the role's
 * trust policy must allow the request with only the condition keys STS supplies (trust-policy.ts):
 * otherwise AccessDenied, "Not authorized to perform sts:AssumeRoleWithWebIdentity" (HTTP 403; STS's
 * wording as reported in aws-actions/configure-aws-credentials#318), or for AssumeRole "User: <caller>
 * is not authorized to perform: sts:AssumeRole on resource: <role>"; an unknown provider or audience is
 * InvalidIdentityToken (HTTP 400; https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html).
 * AssumeRole's caller is the session whose access key signed the request; `sts:ExternalId` is in the
 * request context when the caller passes one (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
 *
 * Time is simulated: the emulator's clock is the host clock plus an offset a test moves forward with
 * `POST /_sim/clock {"advanceSeconds": n}` (read it with `GET /_sim/clock`), so an hour passes in an
 * instant. Credentials are tracked by access key id; the static keys tests sign with never expire.
 */
import type { IncomingHttpHeaders } from "node:http";
import { randomUUID } from "node:crypto";
import { evaluateTrustPolicy, webIdentityContext, type TrustPrincipal, type TrustRequest } from "./trust-policy.js";

/** An answer the emulator sends instead of forwarding to moto. */
export interface StsAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** What STS reads from IAM to decide (the proxy answers it from moto's IAM). */
export interface IamLookup {
  /** The role's trust policy (JSON text); undefined when there is no such role. */
  trustPolicy(roleArn: string): Promise<string | undefined>;
  /** The client ids (audiences) of the account's OIDC provider for `providerArn`; undefined when there is none. */
  oidcProviderClientIds(providerArn: string): Promise<string[] | undefined>;
}

/** A session STS handed out: whose role, under which name. */
export interface StsSession {
  readonly accessKeyId: string;
  readonly roleArn: string;
  readonly sessionName: string;
}

/** The account of moto (its default). */
const ACCOUNT = process.env["MOTO_ACCOUNT_ID"] ?? "123456789012";

/** A copy of {@link StsSimulation}'s state. */
export interface StsSnapshot {
  readonly offsetMs: number;
  readonly expirations: Map<string, number>;
  readonly sessions: Map<string, StsSession>;
}

/** The simulated clock and the expiry of the credentials STS handed out. */
export class StsSimulation {
  private offsetMs = 0;
  /** Access key id → Expiration (epoch ms) of the credentials AssumeRoleWithWebIdentity returned. */
  private readonly expirations = new Map<string, number>();
  /** Access key id → the session (role) it belongs to. */
  private readonly sessions = new Map<string, StsSession>();

  /** Simulated now, epoch milliseconds. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Move the simulated clock forward (never back). */
  advance(ms: number): void {
    this.offsetMs += Math.max(0, ms);
  }

  /** Back to the host's clock; forget every credential. */
  reset(): void {
    this.offsetMs = 0;
    this.expirations.clear();
    this.sessions.clear();
  }

  /** The clock's offset and the credentials handed out, copied (`POST /_sim/restore`, proxy.ts). */
  snapshot(): StsSnapshot {
    return structuredClone({ offsetMs: this.offsetMs, expirations: this.expirations, sessions: this.sessions });
  }

  /** Back to what {@link snapshot} copied. */
  restore(snapshot: StsSnapshot): void {
    const copy = structuredClone(snapshot);
    this.offsetMs = copy.offsetMs;
    this.expirations.clear();
    for (const [key, value] of copy.expirations) this.expirations.set(key, value);
    this.sessions.clear();
    for (const [key, value] of copy.sessions) this.sessions.set(key, value);
  }

  /** Every session handed out since the last reset (access key → role). */
  listSessions(): StsSession[] {
    return [...this.sessions.values()];
  }

  /**
   * AssumeRoleWithWebIdentity or AssumeRole (query protocol, form body), signed by
   * `callerAccessKeyId` (AssumeRole): STS's refusal, or undefined when the role may be assumed.
   * Call after {@link checkWebIdentity}.
   */
  async authorize(operation: "AssumeRoleWithWebIdentity" | "AssumeRole", body: Buffer, callerAccessKeyId: string | undefined, iam: IamLookup): Promise<StsAnswer | undefined> {
    const form = new URLSearchParams(body.toString("utf8"));
    const roleArn = form.get("RoleArn") ?? "";
    const sessionName = form.get("RoleSessionName") ?? "";
    let request: TrustRequest;
    if (operation === "AssumeRoleWithWebIdentity") {
      const claims = decodeJwtPayload(form.get("WebIdentityToken") ?? "") ?? {};
      const issuer = typeof claims["iss"] === "string" ? claims["iss"] : "";
      const provider = issuer.replace(/^https:\/\//, "");
      const providerArn = `arn:aws:iam::${accountOf(roleArn)}:oidc-provider/${provider}`;
      const clientIds = await iam.oidcProviderClientIds(providerArn);
      if (clientIds === undefined) return stsError(400, "InvalidIdentityToken", `No OpenIDConnect provider found in your account for ${issuer}`);
      const audiences = Array.isArray(claims["aud"]) ? claims["aud"] : [claims["aud"]];
      if (!audiences.some((aud) => typeof aud === "string" && clientIds.includes(aud))) return stsError(400, "InvalidIdentityToken", "Incorrect token audience");
      request = { action: "sts:AssumeRoleWithWebIdentity", principal: { federated: providerArn }, context: webIdentityContext(provider, claims, sessionName) };
    } else {
      const externalId = form.get("ExternalId");
      const invalid = externalId === null ? undefined : externalIdViolation(externalId);
      if (invalid !== undefined) return stsError(400, "ValidationError", `1 validation error detected: Value at 'externalId' failed to satisfy constraint: ${invalid}`);
      const context: Record<string, string> = { "sts:RoleSessionName": sessionName, ...(externalId === null ? {} : { "sts:ExternalId": externalId }) };
      request = { action: "sts:AssumeRole", principal: this.caller(callerAccessKeyId), context };
      // Role chaining (a role session assuming a role) is limited to one hour; more fails
      // (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html, DurationSeconds), with
      // ValidationError in STS's wording as reported in aws/eks-anywhere#9485 and 99designs/aws-vault#263.
      const duration = Number(form.get("DurationSeconds") ?? "3600");
      if (callerAccessKeyId !== undefined && this.sessions.has(callerAccessKeyId) && duration > 3600) {
        return stsError(400, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
      }
    }
    const trust = await iam.trustPolicy(roleArn);
    const decision = trust === undefined ? undefined : evaluateTrustPolicy(trust, request);
    if (decision?.decision === "Allowed") return undefined;
    if (operation === "AssumeRoleWithWebIdentity") return stsError(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity");
    return stsError(403, "AccessDenied", `User: ${this.callerArn(callerAccessKeyId)} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
  }

  /**
   * The caller as STS's AccessDenied names it: a role session by its assumed-role ARN,
   * `arn:aws:sts::ACCOUNT:assumed-role/ROLE-NAME/SESSION-NAME` ("IAM identifiers", role session
   * principals, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns).
   */
  private callerArn(accessKeyId: string | undefined): string {
    const session = accessKeyId === undefined ? undefined : this.sessions.get(accessKeyId);
    if (session === undefined) return `arn:aws:iam::${ACCOUNT}:user/${accessKeyId ?? "anonymous"}`;
    const roleName = session.roleArn.split("/").pop() ?? "";
    return `arn:aws:sts::${accountOf(session.roleArn)}:assumed-role/${roleName}/${session.sessionName}`;
  }

  /** The principal behind an access key: a session of a role STS handed out, else the account's static user. */
  private caller(accessKeyId: string | undefined): TrustPrincipal {
    const session = accessKeyId === undefined ? undefined : this.sessions.get(accessKeyId);
    return session === undefined ? { role: `arn:aws:iam::${ACCOUNT}:user/${accessKeyId ?? "anonymous"}`, account: ACCOUNT } : { role: session.roleArn, account: accountOf(session.roleArn) };
  }

  /**
   * Checks an AssumeRoleWithWebIdentity request (query protocol, form body). Returns STS's error for
   * an expired or unreadable token, undefined when moto may answer it.
   */
  checkWebIdentity(body: Buffer): StsAnswer | undefined {
    const token = new URLSearchParams(body.toString("utf8")).get("WebIdentityToken") ?? "";
    const payload = decodeJwtPayload(token);
    if (payload === undefined) {
      return stsError(400, "InvalidIdentityToken", "Couldn't parse the web identity token: it is not a JWT.");
    }
    const exp = payload["exp"];
    if (typeof exp !== "number") return stsError(400, "InvalidIdentityToken", "The web identity token has no exp claim.");
    const nowSeconds = Math.floor(this.now() / 1000);
    if (nowSeconds >= exp) {
      return stsError(400, "ExpiredTokenException", `Token expired: current date/time ${nowSeconds} must be before the expiration date/time${Math.floor(exp)}`);
    }
    return undefined;
  }

  /**
   * After moto answered AssumeRoleWithWebIdentity or AssumeRole: the credentials expire DurationSeconds (default
   * 3600) after the simulated now. Records the access key and rewrites `Expiration` to that time.
   */
  recordCredentials(requestBody: Buffer, answer: string): string {
    const requested = Number(new URLSearchParams(requestBody.toString("utf8")).get("DurationSeconds") ?? "3600");
    const seconds = Number.isInteger(requested) && requested > 0 ? requested : 3600;
    const expiration = this.now() + seconds * 1000;
    const accessKeyId = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(answer)?.[1];
    if (accessKeyId !== undefined) {
      this.expirations.set(accessKeyId, expiration);
      const form = new URLSearchParams(requestBody.toString("utf8"));
      this.sessions.set(accessKeyId, { accessKeyId, roleArn: form.get("RoleArn") ?? "", sessionName: form.get("RoleSessionName") ?? "" });
    }
    return answer.replace(/<Expiration>[^<]*<\/Expiration>/, `<Expiration>${new Date(expiration).toISOString()}</Expiration>`);
  }

  /** The error for a call signed with expired temporary credentials; undefined when they are valid. */
  checkCredentials(headers: IncomingHttpHeaders): StsAnswer | undefined {
    const authorization = headers["authorization"];
    const accessKeyId = /Credential=([^/]+)\//.exec(Array.isArray(authorization) ? (authorization[0] ?? "") : (authorization ?? ""))?.[1];
    const expiration = accessKeyId === undefined ? undefined : this.expirations.get(accessKeyId);
    if (expiration === undefined || this.now() < expiration) return undefined;
    const message = "The security token included in the request is expired";
    if (headers["x-amz-target"] !== undefined) {
      return { status: 400, contentType: "application/x-amz-json-1.1", body: JSON.stringify({ __type: "ExpiredTokenException", message }) };
    }
    return stsError(403, "ExpiredToken", message);
  }
}

/**
 * Why STS refuses an ExternalId, undefined when it takes it: "Length Constraints: Minimum length of 2.
 * Maximum length of 1224. Pattern: [\w+=,.@:/-]*" (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html),
 * answered as a ValidationError, HTTP 400 (https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html).
 * STS's message quotes the value; the emulator leaves it out (an ExternalId is a secret of the context).
 */
function externalIdViolation(externalId: string): string | undefined {
  if (externalId.length < 2) return "Member must have length greater than or equal to 2";
  if (externalId.length > 1224) return "Member must have length less than or equal to 1224";
  if (!/^[\w+=,.@:/-]*$/.test(externalId)) return "Member must satisfy regular expression pattern: [\\w+=,.@:/-]*";
  return undefined;
}

/** The account of an ARN (its fifth field). */
function accountOf(arn: string): string {
  return arn.split(":")[4] || ACCOUNT;
}

/** The payload of a JWT, not verified (the emulator checks claims, not signatures). */
export function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[1] === undefined) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
    return typeof payload === "object" && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function stsError(status: number, code: string, message: string): StsAnswer {
  const body =
    `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code>` +
    `<Message>${message.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
  return { status, contentType: "text/xml", body };
}
