/**
 * A container's awslogs output (CloudWatch Logs GetLogEvents): the last lines of a stream, or the
 * next page of a stream read forward with its token. Returns data; a stream (or group) that does not
 * exist is an answer (undefined), since a container that never started wrote nothing.
 */
import { GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { awsErrorCode } from "../core/aws-errors.js";
import { awsCall } from "./call.js";
import type { AwsClients } from "./clients.js";

/** One page of a stream read forward. */
export interface LogPage {
  readonly messages: readonly string[];
  /** The token for the next page (GetLogEvents' nextForwardToken; the same one when nothing was new). */
  readonly nextToken: string | undefined;
}

/**
 * The next page of `stream` after `nextToken` (from its start when undefined), oldest first.
 * Undefined while the stream does not exist.
 */
export async function readLogForward(aws: Pick<AwsClients, "logs">, where: { readonly group: string; readonly stream: string }, nextToken: string | undefined, signal?: AbortSignal): Promise<LogPage | undefined> {
  try {
    const answer = await aws.logs.send(
      new GetLogEventsCommand({ logGroupName: where.group, logStreamName: where.stream, startFromHead: true, ...(nextToken ? { nextToken } : {}) }),
      signal ? { abortSignal: signal } : {},
    );
    return { messages: (answer.events ?? []).map((event) => event.message ?? ""), nextToken: answer.nextForwardToken ?? nextToken };
  } catch (error) {
    if (awsErrorCode(error) === "ResourceNotFoundException") return undefined;
    return awsCall("GetLogEvents", `${where.group} ${where.stream}`, () => Promise.reject(error));
  }
}

/** The last `limit` lines of `stream`, oldest first; undefined when the stream does not exist. */
export async function readLastLogLines(aws: Pick<AwsClients, "logs">, where: { readonly group: string; readonly stream: string }, limit: number, signal?: AbortSignal): Promise<string[] | undefined> {
  try {
    const answer = await aws.logs.send(new GetLogEventsCommand({ logGroupName: where.group, logStreamName: where.stream, startFromHead: false, limit }), signal ? { abortSignal: signal } : {});
    return (answer.events ?? []).map((event) => event.message ?? "").slice(-limit);
  } catch (error) {
    if (awsErrorCode(error) === "ResourceNotFoundException") return undefined;
    return awsCall("GetLogEvents", `${where.group} ${where.stream}`, () => Promise.reject(error));
  }
}
