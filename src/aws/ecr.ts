import { BatchGetImageCommand, DescribeImagesCommand, DescribeRepositoriesCommand, type ImageDetail } from "@aws-sdk/client-ecr";
import type { TagMutability } from "../core/docker-args.js";
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

/** What push needs to know about a repository. */
export interface EcrRepository extends TagMutability {
  readonly uri: string | undefined;
}

/** The repository's URI and tag mutability (one DescribeRepositories), or undefined when it does not exist. */
export async function describeRepository(clients: Pick<AwsClients, "ecr">, repository: string): Promise<EcrRepository | undefined> {
  try {
    const out = await clients.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repository] }));
    const found = out.repositories?.[0];
    if (found === undefined) return undefined;
    return {
      uri: found.repositoryUri,
      mutability: found.imageTagMutability,
      exclusionFilters: (found.imageTagMutabilityExclusionFilters ?? []).flatMap((filter) => (filter.filter ? [filter.filter] : [])),
    };
  } catch (error) {
    if (awsErrorCode(error) === "RepositoryNotFoundException") return undefined;
    return awsCall("DescribeRepositories", repository, () => Promise.reject(error));
  }
}

/**
 * Every manifest media type ECR stores: single images and indexes. BatchGetImage without
 * acceptedMediaTypes does not hand out an OCI image index or a Docker manifest list
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-manifest-formats.html), and a retag
 * that got only one platform's manifest would drop the others.
 */
export const ACCEPTED_MEDIA_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.v1+json",
];

/** Which of `tags` the repository already has (one BatchGetImage; the rest are absent). */
export async function existingTags(clients: Pick<AwsClients, "ecr">, repository: string, tags: readonly string[]): Promise<string[]> {
  if (tags.length === 0) return [];
  const out = await awsCall("BatchGetImage", `${repository}:${tags.join(",")}`, () =>
    clients.ecr.send(new BatchGetImageCommand({ repositoryName: repository, imageIds: tags.map((imageTag) => ({ imageTag })), acceptedMediaTypes: ACCEPTED_MEDIA_TYPES })),
  );
  const found = new Set((out.images ?? []).map((image) => image.imageId?.imageTag));
  // A tag that exists but could not be read (KMS, …) counts as existing: pushing over it is what must not happen.
  for (const failure of out.failures ?? []) if (failure.failureCode !== "ImageNotFound") found.add(failure.imageId?.imageTag);
  return tags.filter((tag) => found.has(tag));
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
