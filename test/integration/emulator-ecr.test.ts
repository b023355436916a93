/**
 * The emulator's ECR, as unkind as ECR: immutable tags refuse to move
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html; moto does not
 * answer ImageTagAlreadyExistsException: getmoto/moto#8717), and BatchGetImage hands out an image
 * index or manifest list only to a caller that accepts its media type
 * (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_BatchGetImage.html).
 */
import { createHash } from "node:crypto";
import { BatchGetImageCommand, CreateRepositoryCommand, DescribeImagesCommand, PutImageCommand } from "@aws-sdk/client-ecr";
import { beforeEach, describe, expect, it } from "vitest";
import { awsClients, useEmulator, type AwsClients } from "../helpers/emulator.js";
import { imageManifest, putImage } from "../helpers/seed.js";

const handle = useEmulator();
let clients: AwsClients;

beforeEach(async () => {
  await handle.emulator.reset();
  clients = awsClients(handle.emulator, { maxAttempts: 1 });
});

const put = (repository: string, tag: string, manifest: string) =>
  clients.ecr.send(new PutImageCommand({ repositoryName: repository, imageTag: tag, imageManifest: manifest, imageManifestMediaType: "application/vnd.docker.distribution.manifest.v2+json" }));

async function tagDigest(repository: string, tag: string): Promise<string | undefined> {
  const out = await clients.ecr.send(new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageTag: tag }] }));
  return out.imageDetails?.[0]?.imageDigest;
}

describe("ECR image tag mutability (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html)", () => {
  it("an IMMUTABLE repository refuses PutImage of an existing tag with ImageTagAlreadyExistsException, and the tag stays where it was", async () => {
    await clients.ecr.send(new CreateRepositoryCommand({ repositoryName: "shop", imageTagMutability: "IMMUTABLE" }));
    const first = await putImage(clients, "shop", "latest");
    await expect(put("shop", "latest", imageManifest("another build"))).rejects.toMatchObject({
      name: "ImageTagAlreadyExistsException",
      message: "The image tag 'latest' already exists in the 'shop' repository and cannot be overwritten because the repository is immutable.",
    });
    // The same manifest again under the same tag is refused too (aws/containers-roadmap#2179).
    await expect(put("shop", "latest", imageManifest("latest"))).rejects.toMatchObject({ name: "ImageTagAlreadyExistsException" });
    expect(await tagDigest("shop", "latest")).toBe(first);
    // A new tag is fine, on a new image or on the existing one.
    await put("shop", "v2", imageManifest("another build"));
    await put("shop", "also-latest", imageManifest("latest"));
    expect(await tagDigest("shop", "also-latest")).toBe(first);
  });

  it("IMMUTABLE_WITH_EXCLUSION lets the excluded tags (wildcard filters) move, and no other", async () => {
    await clients.ecr.send(
      new CreateRepositoryCommand({
        repositoryName: "shop",
        imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "latest" }, { filterType: "WILDCARD", filter: "dev-*" }],
      }),
    );
    await putImage(clients, "shop", "latest");
    await putImage(clients, "shop", "dev-1");
    await putImage(clients, "shop", "v1");
    const moved = await put("shop", "latest", imageManifest("next"));
    expect(await tagDigest("shop", "latest")).toBe(moved.image?.imageId?.imageDigest);
    await put("shop", "dev-1", imageManifest("next"));
    await expect(put("shop", "v1", imageManifest("next"))).rejects.toMatchObject({ name: "ImageTagAlreadyExistsException" });
  });

  it("a MUTABLE repository (the default) lets a tag move", async () => {
    await clients.ecr.send(new CreateRepositoryCommand({ repositoryName: "shop" }));
    await putImage(clients, "shop", "latest");
    const moved = await put("shop", "latest", imageManifest("next"));
    expect(await tagDigest("shop", "latest")).toBe(moved.image?.imageId?.imageDigest);
  });
});

describe("BatchGetImage and acceptedMediaTypes (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-manifest-formats.html)", () => {
  const INDEX = "application/vnd.oci.image.index.v1+json";
  const index = JSON.stringify({
    schemaVersion: 2,
    mediaType: INDEX,
    manifests: ["amd64", "arm64"].map((architecture) => ({
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      size: 428,
      digest: `sha256:${createHash("sha256").update(architecture).digest("hex")}`,
      platform: { os: "linux", architecture },
    })),
  });

  it("answers an image index only to a caller that accepts its media type; single manifests as before", async () => {
    await clients.ecr.send(new CreateRepositoryCommand({ repositoryName: "shop" }));
    await clients.ecr.send(new PutImageCommand({ repositoryName: "shop", imageTag: "multi", imageManifest: index, imageManifestMediaType: INDEX }));
    await putImage(clients, "shop", "single");

    const plain = await clients.ecr.send(new BatchGetImageCommand({ repositoryName: "shop", imageIds: [{ imageTag: "multi" }, { imageTag: "single" }] }));
    expect(plain.images?.map((image) => image.imageId?.imageTag)).toEqual(["single"]);
    expect(plain.failures).toEqual([expect.objectContaining({ imageId: expect.objectContaining({ imageTag: "multi" }), failureCode: "ImageNotFound" })]);

    const accepting = await clients.ecr.send(
      new BatchGetImageCommand({ repositoryName: "shop", imageIds: [{ imageTag: "multi" }], acceptedMediaTypes: [INDEX, "application/vnd.oci.image.manifest.v1+json"] }),
    );
    expect(accepting.failures ?? []).toEqual([]);
    expect(accepting.images?.[0]).toMatchObject({ imageManifest: index, imageManifestMediaType: INDEX });
  });
});
