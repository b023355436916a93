import { DescribeImagesCommand, DescribeRepositoriesCommand, type ImageDetail } from "@aws-sdk/client-ecr";
import { ValidationError } from "../core/errors.js";
import { awsCall, awsErrorCode } from "./call.js";
import type { AwsClients } from "./clients.js";

/** An image found in ECR. */
export interface EcrImage {
  /** `<registry>/<repository>:<tag>` */
  readonly uri: string;
  readonly digest: string;
  readonly tags: readonly string[];
  readonly pushedAt: Date | undefined;
}

/** The repository's URI (`123456789012.dkr.ecr.us-east-1.amazonaws.com/platform`), or undefined when it does not exist. */
export async function findRepositoryUri(clients: Pick<AwsClients, "ecr">, repository: string): Promise<string | undefined> {
  try {
    const out = await clients.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repository] }));
    return out.repositories?.[0]?.repositoryUri;
  } catch (error) {
    if (awsErrorCode(error) === "RepositoryNotFoundException") return undefined;
    return awsCall("DescribeRepositories", repository, () => Promise.reject(error));
  }
}

/**
 * The image `repository:tag`, or undefined when the repository has no such tag. One DescribeImages
 * call: the image URI is built from the registry id it returns, so no DescribeRepositories is needed.
 */
export async function findImage(clients: Pick<AwsClients, "ecr" | "region">, repository: string, tag: string, signal?: AbortSignal): Promise<EcrImage | undefined> {
  let detail: ImageDetail | undefined;
  try {
    const out = await clients.ecr.send(new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageTag: tag }] }), signal ? { abortSignal: signal } : {});
    detail = out.imageDetails?.[0];
  } catch (error) {
    const code = awsErrorCode(error);
    if (code === "ImageNotFoundException") return undefined;
    if (code === "RepositoryNotFoundException") throw new ValidationError(`ECR repository "${repository}" does not exist (check --repository and the region)`, { cause: error });
    return awsCall("DescribeImages", `${repository}:${tag}`, () => Promise.reject(error));
  }
  if (!detail?.imageDigest) return undefined;
  const registry = `${detail.registryId}.dkr.ecr.${clients.region}.amazonaws.com${clients.region.startsWith("cn-") ? ".cn" : ""}`;
  return { uri: `${registry}/${detail.repositoryName ?? repository}:${tag}`, digest: detail.imageDigest, tags: detail.imageTags ?? [], pushedAt: detail.imagePushedAt };
}
