/**
 * Everything ecs-release does to ECR, in one place: the repository (describe, create), its images
 * and tags (find an image by tag, which tags exist, add tags to an image in place, whether an image
 * is still there) and the registry login for docker. Each function is one operation (or a short
 * fixed sequence of them) through `awsCall`; it returns data, and "not found" is a value
 * (undefined or false) wherever the caller can do something about it.
 */
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  ListImagesCommand,
  PutImageCommand,
  type ImageDetail,
} from "@aws-sdk/client-ecr";
import { decodeAuthorizationToken, registryHost, type TagMutability } from "../core/docker-args.js";
import type { EcrImageRef } from "../core/ecr-image.js";
import { awsErrorCode, repositoryNotFoundError } from "../core/aws-errors.js";
import { AwsCallError } from "../core/errors.js";
import type { Redactor } from "../core/redact.js";
import { awsCall } from "./call.js";
import type { AwsClients } from "./clients.js";

// ---- The repository -------------------------------------------------------------------------

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

/** Creates a repository that scans on push and has immutable tags; returns its URI. */
export async function createRepository(clients: Pick<AwsClients, "ecr">, repository: string): Promise<string | undefined> {
  const out = await awsCall("CreateRepository", repository, () =>
    clients.ecr.send(
      new CreateRepositoryCommand({
        repositoryName: repository,
        imageScanningConfiguration: { scanOnPush: true },
        imageTagMutability: "IMMUTABLE",
      }),
    ),
  );
  return out.repository?.repositoryUri;
}

// ---- Images and tags -------------------------------------------------------------------------

/** An image found in ECR. */
export interface EcrImage {
  /** `<registry>/<repository>:<tag>` */
  readonly uri: string;
  readonly digest: string;
  readonly tags: readonly string[];
  readonly pushedAt: Date | undefined;
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
    if (code === "RepositoryNotFoundException") throw repositoryNotFoundError(repository, error);
    return awsCall("DescribeImages", `${repository}:${tag}`, () => Promise.reject(error));
  }
  if (!detail?.imageDigest) return undefined;
  const registry = `${detail.registryId}.dkr.ecr.${clients.region}.amazonaws.com${clients.region.startsWith("cn-") ? ".cn" : ""}`;
  return { uri: `${registry}/${detail.repositoryName ?? repository}:${tag}`, digest: detail.imageDigest, tags: detail.imageTags ?? [], pushedAt: detail.imagePushedAt };
}

/**
 * Every tag in the repository (ListImages, tagged images only, 1000 a page): what a `--sha` prefix is
 * matched against (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ListImages.html).
 */
export async function listImageTags(clients: Pick<AwsClients, "ecr">, repository: string, signal?: AbortSignal): Promise<string[]> {
  const tags: string[] = [];
  let nextToken: string | undefined;
  do {
    const token = nextToken;
    let page;
    try {
      page = await clients.ecr.send(
        new ListImagesCommand({ repositoryName: repository, filter: { tagStatus: "TAGGED" }, maxResults: 1000, ...(token ? { nextToken: token } : {}) }),
        signal ? { abortSignal: signal } : {},
      );
    } catch (error) {
      if (awsErrorCode(error) === "RepositoryNotFoundException") throw repositoryNotFoundError(repository, error);
      return awsCall("ListImages", repository, () => Promise.reject(error));
    }
    for (const id of page.imageIds ?? []) if (id.imageTag) tags.push(id.imageTag);
    nextToken = page.nextToken || undefined;
  } while (nextToken);
  return tags;
}

/**
 * Whether an image is still in ECR: lifecycle policies expire images (e.g. "expire images older
 * than 14 days", https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html),
 * so an old revision can name an image ECS can no longer pull. True when the image is in its
 * repository; false when the image or the repository is gone. One DescribeImages call.
 */
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
 * Adds `tags` to the image already tagged `existingTag`, without pulling or pushing layers
 * (BatchGetImage for its manifest — an image index or manifest list as it is, every platform kept —
 * then PutImage once per tag: https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-retag.html). Returns the tags it could not add
 * because the repository already has them on another image (immutable tags).
 */
export async function addImageTags(clients: Pick<AwsClients, "ecr">, repository: string, existingTag: string, tags: readonly string[]): Promise<string[]> {
  if (tags.length === 0) return [];
  const got = await awsCall("BatchGetImage", `${repository}:${existingTag}`, () =>
    clients.ecr.send(new BatchGetImageCommand({ repositoryName: repository, imageIds: [{ imageTag: existingTag }], acceptedMediaTypes: ACCEPTED_MEDIA_TYPES })),
  );
  const image = got.images?.[0];
  if (!image?.imageManifest) throw new AwsCallError("BatchGetImage", `${repository}:${existingTag}`, "no manifest in the answer");
  const refused: string[] = [];
  for (const tag of tags) {
    try {
      await clients.ecr.send(
        new PutImageCommand({
          repositoryName: repository,
          imageTag: tag,
          imageManifest: image.imageManifest,
          ...(image.imageManifestMediaType ? { imageManifestMediaType: image.imageManifestMediaType } : {}),
        }),
      );
    } catch (error) {
      if (awsErrorCode(error) === "ImageTagAlreadyExistsException") {
        refused.push(tag);
        continue;
      }
      await awsCall("PutImage", `${repository}:${tag}`, () => Promise.reject(error));
    }
  }
  return refused;
}

// ---- The registry login ----------------------------------------------------------------------

/** Credentials for `docker login` against the account's ECR registry. */
export interface RegistryLogin {
  /** `123456789012.dkr.ecr.us-east-1.amazonaws.com` */
  readonly host: string;
  readonly username: string;
  readonly password: string;
  readonly expiresAt: Date | undefined;
}

/**
 * GetAuthorizationToken → registry host, user and password. The password (and the token it came
 * in) is added to the redactor before this returns, so no output can show it.
 */
export async function getRegistryLogin(clients: Pick<AwsClients, "ecr">, redactor: Redactor): Promise<RegistryLogin> {
  const out = await awsCall("GetAuthorizationToken", "ECR registry", () => clients.ecr.send(new GetAuthorizationTokenCommand({})));
  const data = out.authorizationData?.[0];
  if (data?.authorizationToken) redactor.add(data.authorizationToken);
  const credentials = data?.authorizationToken ? decodeAuthorizationToken(data.authorizationToken) : undefined;
  if (!data?.proxyEndpoint || !credentials) {
    throw new AwsCallError("GetAuthorizationToken", "ECR registry", "the answer had no usable authorization data");
  }
  redactor.add(credentials.password);
  return { host: registryHost(data.proxyEndpoint), username: credentials.username, password: credentials.password, expiresAt: data.expiresAt };
}
