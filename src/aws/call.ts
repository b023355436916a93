import { translateAwsError } from "../core/aws-errors.js";

/**
 * Runs one AWS call and translates what the SDK throws into our errors: missing credentials and a
 * missing region are bad configuration (exit 2), an aborted call is an interruption, everything else
 * is an AwsCallError naming the operation and the resource (exit 3). The SDK has already retried.
 * The translation and its wording are core/aws-errors.ts.
 */
export async function awsCall<T>(operation: string, resource: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw translateAwsError(operation, resource, error);
  }
}
