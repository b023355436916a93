import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  GetAuthorizationTokenCommand,
  PutImageCommand,
} from "@aws-sdk/client-ecr";
import { decodeAuthorizationToken, registryHost } from "../core/docker-args.js";
import { AwsCallError } from "../core/errors.js";
import type { Redactor } from "../core/redact.js";
import { awsCall, awsErrorCode } from "./call.js";
import type { AwsClients } from "./clients.js";
import { ACCEPTED_MEDIA_TYPES } from "./ecr.js";

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
