/**
 * The pre-flight reads (core/preflight.ts decides and words): the execution role (IAM GetRole), the
 * awslogs log groups (CloudWatch Logs DescribeLogStreams on the group: scoped to the group in IAM,
 * unlike DescribeLogGroups), the SSM parameters `secrets` name (DescribeParameters: names only,
 * never a value). Each returns data; "not found" is an answer, not an error.
 */
import { DescribeLogStreamsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { GetRoleCommand } from "@aws-sdk/client-iam";
import { DescribeParametersCommand } from "@aws-sdk/client-ssm";
import { awsErrorCode } from "../core/aws-errors.js";
import { awsCall } from "./call.js";
import type { AwsClients } from "./clients.js";

/** A role's trust policy document (URL-encoded, as IAM returns it), or undefined when the role does not exist. */
export async function readRoleTrust(aws: Pick<AwsClients, "iam">, roleName: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    const answer = await aws.iam.send(new GetRoleCommand({ RoleName: roleName }), signal ? { abortSignal: signal } : {});
    return answer.Role?.AssumeRolePolicyDocument ?? "";
  } catch (error) {
    if (awsErrorCode(error) === "NoSuchEntity" || awsErrorCode(error) === "NoSuchEntityException") return undefined;
    return awsCall("GetRole", roleName, () => Promise.reject(error));
  }
}

/** Whether a log group exists: DescribeLogStreams answers ResourceNotFoundException for a missing group. */
export async function logGroupExists(aws: Pick<AwsClients, "logs">, group: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await aws.logs.send(new DescribeLogStreamsCommand({ logGroupName: group, limit: 1 }), signal ? { abortSignal: signal } : {});
    return true;
  } catch (error) {
    if (awsErrorCode(error) === "ResourceNotFoundException") return false;
    return awsCall("DescribeLogStreams", group, () => Promise.reject(error));
  }
}

/** How many names one DescribeParameters filter takes (ParameterStringFilter Values: 1–50). */
const NAMES_PER_CALL = 50;

/** The parameter names among `names` that exist (DescribeParameters, filter Name Equals; metadata only). */
export async function existingParameters(aws: Pick<AwsClients, "ssm">, names: readonly string[], signal?: AbortSignal): Promise<Set<string>> {
  const found = new Set<string>();
  const unique = [...new Set(names)];
  for (let start = 0; start < unique.length; start += NAMES_PER_CALL) {
    const batch = unique.slice(start, start + NAMES_PER_CALL);
    let nextToken: string | undefined;
    do {
      const answer = await awsCall("DescribeParameters", batch.join(","), () =>
        aws.ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Option: "Equals", Values: batch }], ...(nextToken ? { NextToken: nextToken } : {}) }), signal ? { abortSignal: signal } : {}),
      );
      for (const parameter of answer.Parameters ?? []) if (parameter.Name) found.add(parameter.Name);
      nextToken = answer.NextToken;
    } while (nextToken);
  }
  return found;
}
