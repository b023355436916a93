/**
 * Image URIs as ECR names them. Pure. A private ECR image is
 * `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<repository>[:tag][@sha256:digest]`
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/docker-pull-ecr-image.html); any other
 * registry (Docker Hub, public.ecr.aws, another account or region) is not ours to look into.
 */

/** An image in a private ECR registry. */
export interface EcrImageRef {
  /** The image URI as written in the task definition. */
  readonly uri: string;
  /** The registry's account id. */
  readonly registryId: string;
  readonly region: string;
  readonly repository: string;
  /** What ECS pulls: the digest when the URI has one, else the tag (`latest` when neither). */
  readonly imageId: { readonly imageDigest: string } | { readonly imageTag: string };
}

const ECR_URI = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9._/-]+?)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[0-9a-f]{64}))?$/;

/** Parses a private ECR image URI; undefined for any other registry. */
export function parseEcrImage(uri: string): EcrImageRef | undefined {
  const match = ECR_URI.exec(uri.trim());
  if (!match?.[1] || !match[2] || !match[3]) return undefined;
  const imageId = match[5] ? { imageDigest: match[5] } : { imageTag: match[4] ?? "latest" };
  return { uri, registryId: match[1], region: match[2], repository: match[3], imageId };
}

/** The images of a revision that can be looked up in the account's own ECR, and the others. */
export interface ImagesToCheck {
  readonly checkable: readonly EcrImageRef[];
  /** Images in any other registry: not checked. */
  readonly unchecked: readonly string[];
}

/**
 * Splits images into those in the ECR of `account` in `region` (checkable with the rollback job's
 * own ecr:DescribeImages) and the rest, without duplicates.
 */
export function imagesToCheck(images: readonly string[], where: { readonly account: string; readonly region: string }): ImagesToCheck {
  const checkable: EcrImageRef[] = [];
  const unchecked: string[] = [];
  for (const uri of new Set(images)) {
    const ref = parseEcrImage(uri);
    if (ref && ref.registryId === where.account && ref.region === where.region) checkable.push(ref);
    else unchecked.push(uri);
  }
  return { checkable, unchecked };
}

/** The account and region of an ECS ARN (`arn:aws:ecs:<region>:<account>:…`). */
export function arnAccountAndRegion(arn: string): { account: string; region: string } | undefined {
  const match = /^arn:aws[\w-]*:[\w-]+:([a-z0-9-]+):(\d{12}):/.exec(arn);
  return match?.[1] && match[2] ? { region: match[1], account: match[2] } : undefined;
}
