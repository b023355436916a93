/** What an AWS answer means for the user, as tables: the error class (exit code) and the one line it prints. */
import { describe, expect, it } from "vitest";
import {
  awsErrorCode,
  clusterForTaskNotFoundError,
  clusterNotFoundError,
  repositoryNotFoundError,
  serviceToCopyNotFoundError,
  taskDefinitionFlagError,
  taskDefinitionNotFoundError,
  translateAwsError,
} from "../../../src/core/aws-errors.js";
import { AwsCallError, EcsReleaseError, ExitCode, ValidationError } from "../../../src/core/errors.js";

const sdkError = (name: string, message: string): Error => Object.assign(new Error(message), { name });

describe("awsErrorCode", () => {
  it.each<[unknown, string | undefined]>([
    [sdkError("ThrottlingException", "slow down"), "ThrottlingException"],
    [{ Code: "AccessDenied", name: "Error" }, "AccessDenied"],
    ["a string", undefined],
    [null, undefined],
  ])("%j → %s", (error, expected) => expect(awsErrorCode(error)).toBe(expected));
});

describe("translateAwsError", () => {
  it.each<[string, unknown, number, string]>([
    ["throttling after retries: exit 3, the call and the resource", sdkError("ThrottlingException", "Rate exceeded"), ExitCode.awsCallFailed, "DescribeServices prod/web failed: ThrottlingException: Rate exceeded"],
    ["an aborted call: interrupted", sdkError("AbortError", "aborted"), ExitCode.interrupted, "interrupted during DescribeServices prod/web"],
    [
      "no credentials: bad configuration",
      sdkError("CredentialsProviderError", "Could not load credentials from any providers"),
      ExitCode.badInput,
      "no AWS credentials found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE (CircleCI OIDC)",
    ],
    ["an invalid region, named", sdkError("Error", 'Region not accepted: region="moon-1"'), ExitCode.badInput, 'AWS region "moon-1" is not valid: pass --region or AWS_REGION like us-east-1'],
    ["an invalid region, unnamed", sdkError("Error", "Invalid region in client config"), ExitCode.badInput, "the AWS region is not valid: pass --region or AWS_REGION like us-east-1"],
    ["no region", sdkError("Error", "Region is missing"), ExitCode.badInput, "no AWS region: pass --region, set AWS_REGION, or set region in the profile of the shared config file"],
  ])("%s", (_what, error, exitCode, message) => {
    const translated = translateAwsError("DescribeServices", "prod/web", error);
    expect(translated.exitCode).toBe(exitCode);
    expect(translated.message).toBe(message);
    expect(translated.cause).toBe(error);
  });

  it("keeps the code on an AwsCallError, and returns our own errors as they are", () => {
    expect((translateAwsError("ListTasks", "prod", sdkError("AccessDeniedException", "no")) as AwsCallError).code).toBe("AccessDeniedException");
    const ours = new EcsReleaseError("ours");
    expect(translateAwsError("ListTasks", "prod", ours)).toBe(ours);
  });
});

describe("not-found errors (exit 2, naming the thing and the flag to check)", () => {
  const cause = sdkError("ClusterNotFoundException", "Cluster not found.");
  it.each<[string, ValidationError, string]>([
    ["cluster, with the region", clusterNotFoundError("prod", "eu-west-1", cause), 'cluster "prod" not found in eu-west-1 (check --cluster and the region)'],
    ["cluster, region unknown", clusterNotFoundError("prod", undefined, cause), 'cluster "prod" not found (check --cluster and the region)'],
    ["cluster of a one-off task", clusterForTaskNotFoundError("prod"), "cluster prod does not exist in this account and region (check --cluster and --region)"],
    ["task definition", taskDefinitionNotFoundError("web:9", "Unable to describe task definition.", cause), 'task definition "web:9" does not exist (Unable to describe task definition.)'],
    ["--task-definition unknown", taskDefinitionFlagError("--task-definition", "web:9", "unknown", cause), "--task-definition web:9: no such task definition in this account and region (check the family, the revision and --region)"],
    ["--task-definition missing from the answer", taskDefinitionFlagError("--task-definition", "web:9", "missing"), "--task-definition web:9: no such task definition"],
    ["--task-definition being deleted", taskDefinitionFlagError("--task-definition", "web:9", "deleting"), "--task-definition web:9: the revision is being deleted"],
    ["--like-service missing", serviceToCopyNotFoundError("--like-service", "web", "prod", false), "--like-service web: no service of that name in cluster prod"],
    ["--like-service not ACTIVE", serviceToCopyNotFoundError("--like-service", "web", "prod", true), "--like-service web: no ACTIVE service of that name in cluster prod"],
    ["ECR repository", repositoryNotFoundError("platform", cause), 'ECR repository "platform" does not exist (check --repository and the region)'],
  ])("%s", (_what, error, message) => {
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.exitCode).toBe(ExitCode.badInput);
    expect(error.message).toBe(message);
  });
});
