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
 * Time is simulated: the emulator's clock is the host clock plus an offset a test moves forward with
 * `POST /_sim/clock {"advanceSeconds": n}` (read it with `GET /_sim/clock`), so an hour passes in an
 * instant. Credentials are tracked by access key id; the static keys tests sign with never expire.
 */
import type { IncomingHttpHeaders } from "node:http";
import { randomUUID } from "node:crypto";

/** An answer the emulator sends instead of forwarding to moto. */
export interface StsAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** The simulated clock and the expiry of the credentials STS handed out. */
export class StsSimulation {
  private offsetMs = 0;
  /** Access key id → Expiration (epoch ms) of the credentials AssumeRoleWithWebIdentity returned. */
  private readonly expirations = new Map<string, number>();

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
   * After moto answered AssumeRoleWithWebIdentity: the credentials expire DurationSeconds (default
   * 3600) after the simulated now. Records the access key and rewrites `Expiration` to that time.
   */
  recordCredentials(requestBody: Buffer, answer: string): string {
    const requested = Number(new URLSearchParams(requestBody.toString("utf8")).get("DurationSeconds") ?? "3600");
    const seconds = Number.isInteger(requested) && requested > 0 ? requested : 3600;
    const expiration = this.now() + seconds * 1000;
    const accessKeyId = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(answer)?.[1];
    if (accessKeyId !== undefined) this.expirations.set(accessKeyId, expiration);
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
