/**
 * ECS's documented request limits and paging, which moto does not enforce: moto describes any number
 * of services or tasks in one call and answers every list in one page. A client that sends eleven
 * services to DescribeServices, or stops after the first page of ListServices, passes against moto
 * and fails (or silently misses services) against AWS; here it fails as it would there.
 *
 * Limits, from the Amazon ECS API Reference:
 * - DescribeServices: "You may specify up to 10 services to describe in a single operation"
 *   (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html). ECS answers
 *   InvalidParameterException "service names can have at most 10 items." (the wording users report:
 *   remind101/empire#468, aws/aws-toolkit-vscode#2362).
 * - DescribeTasks: "A list of up to 100 task IDs or full ARN entries"
 *   (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTasks.html); the message is
 *   written here after DescribeServices' (AWS documents none).
 * - ListServices: maxResults 1–100; without it "ListServices returns up to 10 results and a nextToken
 *   value if applicable" (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServices.html).
 * - ListTasks: maxResults 1–100, default 100 (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTasks.html).
 * - ListClusters: maxResults 1–100, default 100 (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListClusters.html).
 * - ListTaskDefinitions (1–100, default 100) is paged in proxy.ts; ListServiceDeployments (1–100,
 *   default 20) and DescribeServiceDeployments (≤ 20 ARNs) in ecs-simulation.ts.
 * - Tags: "Maximum number of tags per resource – 50"; keys with the reserved aws: prefix do not count
 *   (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-using-tags.html#tag-restrictions).
 *   A tag whose key the resource already has replaces it and adds none. The message is written here
 *   (AWS documents none).
 *
 * A nextToken is opaque to clients (the offset, base64): any other value is refused as ECS refuses a
 * token it did not issue.
 */
import type { JsonObject } from "./ecs-simulation.js";

/** An ECS error: its type and message. */
export interface LimitError {
  readonly error: "InvalidParameterException";
  readonly message: string;
}

/** The most items one request may name. */
export const REQUEST_ITEM_LIMITS: Readonly<Record<string, { readonly key: string; readonly max: number; readonly noun: string }>> = {
  DescribeServices: { key: "services", max: 10, noun: "service names" },
  DescribeTasks: { key: "tasks", max: 100, noun: "tasks" },
};

/** The paged list operations the front pages itself: the answer's list key, default and maximum page size. */
export const PAGED_LISTS: Readonly<Record<string, { readonly key: string; readonly defaultSize: number; readonly maxSize: number }>> = {
  ListServices: { key: "serviceArns", defaultSize: 10, maxSize: 100 },
  ListTasks: { key: "taskArns", defaultSize: 100, maxSize: 100 },
  ListClusters: { key: "clusterArns", defaultSize: 100, maxSize: 100 },
};

/** Tags a resource may have (keys with the aws: prefix not counted). */
export const TAGS_PER_RESOURCE = 50;

/** A request over an item limit, or with a page size out of range; undefined when it is within them. */
export function checkRequestLimits(operation: string, request: JsonObject): LimitError | undefined {
  const limit = REQUEST_ITEM_LIMITS[operation];
  const items = limit === undefined ? undefined : request[limit.key];
  if (limit !== undefined && Array.isArray(items) && items.length > limit.max) {
    return { error: "InvalidParameterException", message: `${limit.noun} can have at most ${limit.max} items.` };
  }
  const paged = PAGED_LISTS[operation];
  if (paged !== undefined) {
    const size = request["maxResults"];
    if (size !== undefined && (typeof size !== "number" || !Number.isInteger(size) || size < 1 || size > paged.maxSize)) {
      return { error: "InvalidParameterException", message: `maxResults must be between 1 and ${paged.maxSize}.` };
    }
    if (request["nextToken"] !== undefined && pageOffset(request["nextToken"]) === undefined) return { error: "InvalidParameterException", message: "Invalid nextToken." };
  }
  return undefined;
}

/** The request as moto gets it: without the paging parameters (the front pages the whole list). */
export function withoutPaging(request: JsonObject): JsonObject {
  const { maxResults: _maxResults, nextToken: _nextToken, ...rest } = request;
  return rest;
}

/** One page of a whole list answer, as ECS pages it (`operation` is one of PAGED_LISTS). */
export function pageOf(operation: string, request: JsonObject, answer: JsonObject): JsonObject {
  const paged = PAGED_LISTS[operation];
  const all = paged === undefined ? undefined : answer[paged.key];
  if (paged === undefined || !Array.isArray(all)) return answer;
  const offset = pageOffset(request["nextToken"]) ?? 0;
  const size = typeof request["maxResults"] === "number" ? request["maxResults"] : paged.defaultSize;
  const { nextToken: _ignored, ...rest } = answer;
  const out: JsonObject = { ...rest, [paged.key]: all.slice(offset, offset + size) };
  if (offset + size < all.length) out["nextToken"] = Buffer.from(`page:${offset + size}`).toString("base64");
  return out;
}

function pageOffset(token: unknown): number | undefined {
  if (token === undefined) return 0;
  if (typeof token !== "string") return undefined;
  const match = /^page:(\d+)$/.exec(Buffer.from(token, "base64").toString("utf8"));
  return match === null ? undefined : Number(match[1]);
}

/**
 * Tags after a TagResource or a create call: the refusal when the resource would have more than
 * {@link TAGS_PER_RESOURCE}, counting the tags it has (`existing`) and the new keys.
 */
export function checkTagCount(existing: readonly string[], added: readonly string[]): LimitError | undefined {
  const keys = new Set([...existing, ...added].filter((key) => !/^aws:/i.test(key)));
  if (keys.size <= TAGS_PER_RESOURCE) return undefined;
  return { error: "InvalidParameterException", message: `The resource would have ${keys.size} tags; a resource can have at most ${TAGS_PER_RESOURCE}.` };
}
