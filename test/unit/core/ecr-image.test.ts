import { describe, expect, it } from "vitest";
import { arnAccountAndRegion, imagesToCheck, parseEcrImage } from "../../../src/core/ecr-image.js";

const DIGEST = `sha256:${"ab".repeat(32)}`;

describe("parseEcrImage", () => {
  it.each([
    ["123456789012.dkr.ecr.us-east-1.amazonaws.com/platform:abc123", { registryId: "123456789012", region: "us-east-1", repository: "platform", imageId: { imageTag: "abc123" } }],
    ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app", { registryId: "123456789012", region: "eu-west-1", repository: "team/app", imageId: { imageTag: "latest" } }],
    [`123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1@${DIGEST}`, { repository: "app", imageId: { imageDigest: DIGEST } }],
    ["123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app:1", { region: "us-gov-west-1", repository: "app" }],
    ["123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1", { region: "cn-north-1" }],
  ])("%s", (uri, expected) => {
    expect(parseEcrImage(uri)).toMatchObject({ uri, ...expected });
  });

  it.each(["public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0", "nginx:1.27", "ghcr.io/org/app:1", "123456789012.dkr.ecr.us-east-1.amazonaws.com"])("%s is not a private ECR image", (uri) => {
    expect(parseEcrImage(uri)).toBeUndefined();
  });
});

describe("imagesToCheck", () => {
  it("checks only the account's ECR in the region, once each", () => {
    const mine = "123456789012.dkr.ecr.us-east-1.amazonaws.com/platform:abc";
    const split = imagesToCheck([mine, mine, "999999999999.dkr.ecr.us-east-1.amazonaws.com/shared:1", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform:abc", "nginx:1"], { account: "123456789012", region: "us-east-1" });
    expect(split.checkable.map((i) => i.uri)).toEqual([mine]);
    expect(split.unchecked).toEqual(["999999999999.dkr.ecr.us-east-1.amazonaws.com/shared:1", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform:abc", "nginx:1"]);
  });

  it("reads the account and region of an ARN", () => {
    expect(arnAccountAndRegion("arn:aws:ecs:us-east-1:123456789012:task-definition/web:3")).toEqual({ account: "123456789012", region: "us-east-1" });
    expect(arnAccountAndRegion("web:3")).toBeUndefined();
  });
});
