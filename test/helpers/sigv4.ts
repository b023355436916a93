/**
 * Signature Version 4 as the tests check it: the SDK's own signer (@smithy/signature-v4), on a hash
 * over node:crypto as @smithy/hash-node's. For src/aws/early-read.ts, which signs without the SDK.
 */
import { createHash, createHmac } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { HttpRequest } from "@smithy/core/protocols";
import { SignatureV4 } from "@smithy/signature-v4";
import type { SourceData } from "@smithy/types";

/** The SDK's hash interface (@smithy/types Checksum). */
export class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.hash.digest());
  }
}

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === "string" || data instanceof Uint8Array) return data;
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

/**
 * Whether a received POST to "/" is signed right for `secret`, as AWS checks it: the SDK's signer
 * signs the request again from its signed headers only, at its X-Amz-Date, and the Authorization
 * headers must be equal.
 */
export async function signatureValid(method: string, headers: IncomingHttpHeaders, body: string, secret: string): Promise<boolean> {
  const authorization = String(headers["authorization"] ?? "");
  const parts = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$/.exec(authorization);
  if (parts === null) return false;
  const [, accessKeyId = "", region = "", service = "", signed = ""] = parts;
  const kept = Object.fromEntries(signed.split(";").map((name) => [name, String(headers[name] ?? "")]));
  const date = String(headers["x-amz-date"] ?? "").replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z");
  const token = kept["x-amz-security-token"];
  const signer = new SignatureV4({ credentials: { accessKeyId, secretAccessKey: secret, ...(token ? { sessionToken: token } : {}) }, region, service, sha256: Sha256 });
  const again = await signer.sign(new HttpRequest({ method, protocol: "https:", hostname: String(headers["host"]).replace(/:\d+$/, ""), path: "/", headers: kept, body }), { signingDate: new Date(date) });
  return again.headers["authorization"] === authorization;
}
