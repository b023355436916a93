/**
 * KMS HMAC keys: the MAC of a saved release plan. GenerateMac in the plan job, VerifyMac in the
 * release job, each with a key only those roles may use, so the plan's integrity does not rest on
 * a key stored beside it (https://docs.aws.amazon.com/kms/latest/developerguide/hmac.html). A
 * message is at most 4096 bytes (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateMac.html):
 * callers pass a digest.
 */
import { GenerateMacCommand, VerifyMacCommand } from "@aws-sdk/client-kms";
import { awsErrorCode } from "../core/aws-errors.js";
import { awsCall } from "./call.js";
import type { AwsClients } from "./clients.js";

/** The algorithm of every plan MAC (an HMAC_256 key). */
export const PLAN_MAC_ALGORITHM = "HMAC_SHA_256";

/** The HMAC of `message` under `keyId`, base64; and the key's ARN as KMS names it. */
export async function generateMac(clients: Pick<AwsClients, "kms">, keyId: string, message: Uint8Array): Promise<{ mac: string; keyArn: string }> {
  const out = await awsCall("GenerateMac", keyId, () => clients.kms.send(new GenerateMacCommand({ KeyId: keyId, Message: message, MacAlgorithm: PLAN_MAC_ALGORITHM })));
  return { mac: Buffer.from(out.Mac ?? new Uint8Array()).toString("base64"), keyArn: out.KeyId?.startsWith("arn:") ? out.KeyId : keyId };
}

/**
 * Whether `mac` (base64) is the HMAC of `message` under `keyId`. KMS answers a MAC that does not
 * match with KMSInvalidMacException ("one or more of the inputs changed since the HMAC was
 * computed", https://docs.aws.amazon.com/kms/latest/APIReference/API_VerifyMac.html): false.
 */
export async function verifyMac(clients: Pick<AwsClients, "kms">, keyId: string, message: Uint8Array, mac: string): Promise<boolean> {
  try {
    const out = await clients.kms.send(new VerifyMacCommand({ KeyId: keyId, Message: message, Mac: Buffer.from(mac, "base64"), MacAlgorithm: PLAN_MAC_ALGORITHM }));
    return out.MacValid === true;
  } catch (error) {
    if (awsErrorCode(error) === "KMSInvalidMacException") return false;
    return awsCall("VerifyMac", keyId, () => Promise.reject(error));
  }
}
