/**
 * Whether an image is still in ECR: lifecycle policies expire images (e.g. "expire images older
 * than 14 days", https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html),
 * so an old revision can name an image ECS can no longer pull.
 */
import { DescribeImagesCommand } from "@aws-sdk/client-ecr";
import type { EcrImageRef } from "../core/ecr-image.js";
import { awsCall, awsErrorCode } from "./call.js";
import type { AwsClients } from "./clients.js";

/** True when the image is in its repository; false when the image or the repository is gone. One DescribeImages call. */
export async function ecrImageExists(clients: Pick<AwsClients, "ecr">, image: EcrImageRef, signal?: AbortSignal): Promise<boolean> {
  try {
    const out = await clients.ecr.send(
      new DescribeImagesCommand({ registryId: image.registryId, repositoryName: image.repository, imageIds: [{ ...image.imageId }] }),
      signal ? { abortSignal: signal } : {},
    );
    return (out.imageDetails ?? []).length > 0;
  } catch (error) {
    const code = awsErrorCode(error);
    if (code === "ImageNotFoundException" || code === "RepositoryNotFoundException") return false;
    return awsCall("DescribeImages", image.uri, () => Promise.reject(error));
  }
}
