/**
 * The ECS calls ecs-release makes, shared by release, rollback, status, history and prune. Each
 * function is one operation (or one batch of it), goes through `awsCall` (errors name the
 * operation and the resource; exit 3), and returns plain values.
 *
 * Task definitions travel as raw JSON: DescribeTaskDefinition's response body and
 * RegisterTaskDefinition's request body bypass the SDK's (de)serialiser, which only knows the
 * fields of its own release and drops the others. So a revision rendered from the previous one
 * keeps fields newer than our SDK, and a template's unknown fields reach ECS verbatim.
 */
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  UpdateServiceCommand,
  type Service,
  type UpdateServiceCommandOutput,
} from "@aws-sdk/client-ecs";
import { awsErrorCode, clusterNotFoundError, taskDefinitionNotFoundError, translateAwsError } from "../core/aws-errors.js";
import { isEcsReleaseError, withContext } from "../core/errors.js";
import { tagsToMap, mapToTags, type TagMap } from "../core/tags.js";
import { DESCRIBE_SERVICES_BATCH } from "../core/api-limits.js";
import { awsCall } from "./call.js";
import type { AwsClients } from "./clients.js";

type Ecs = Pick<AwsClients, "ecs">;

/** What describeServices found. */
export interface DescribedServices {
  /** Found services, in the order asked (ACTIVE, DRAINING or INACTIVE: check `status`). */
  readonly services: Service[];
  /** Names ECS reported as MISSING. */
  readonly missing: string[];
}

/**
 * Describes services, one DescribeServices call per 10 (the API's maximum), the batches
 * concurrently. A missing cluster is a ValidationError (exit 2): it names the cluster and the region.
 */
export async function describeServices(clients: Ecs & Partial<Pick<AwsClients, "region">>, cluster: string, services: readonly string[], signal?: AbortSignal): Promise<DescribedServices> {
  const batches: string[][] = [];
  for (let i = 0; i < services.length; i += DESCRIBE_SERVICES_BATCH) batches.push(services.slice(i, i + DESCRIBE_SERVICES_BATCH));
  const outputs = await Promise.all(
    batches.map(async (batch) => {
      try {
        return await clients.ecs.send(new DescribeServicesCommand({ cluster, services: batch }), signal ? { abortSignal: signal } : {});
      } catch (error) {
        if (awsErrorCode(error) === "ClusterNotFoundException") {
          throw clusterNotFoundError(cluster, clients.region, error);
        }
        throw translateAwsError("DescribeServices", `${cluster}/${batch.join(",")}`, error);
      }
    }),
  );
  const found: Service[] = [];
  const missing: string[] = [];
  for (const output of outputs) {
    found.push(...(output.services ?? []));
    for (const failure of output.failures ?? []) missing.push(serviceNameOf(failure.arn ?? ""));
  }
  const order = (s: Service): number => services.findIndex((name) => name === s.serviceName || name === s.serviceArn);
  return { services: found.sort((a, b) => order(a) - order(b)), missing };
}

/** The service name of a service ARN or name. */
export function serviceNameOf(arnOrName: string): string {
  return arnOrName.slice(arnOrName.lastIndexOf("/") + 1);
}

/** A revision as DescribeTaskDefinition returned it: every field (raw JSON) and its tags. */
export interface DescribedTaskDefinition {
  readonly taskDefinitionArn: string;
  /** Every field of `taskDefinition` in the response, also those our SDK does not know. */
  readonly taskDefinition: Record<string, unknown>;
  readonly tags: TagMap;
}

/**
 * DescribeTaskDefinition with its tags (`include: ["TAGS"]`): `taskDefinition` is a family (its
 * latest ACTIVE revision), `family:revision` or an ARN. A revision that does not exist is a
 * ValidationError naming it.
 */
export async function describeTaskDefinition(clients: Ecs, taskDefinition: string, signal?: AbortSignal): Promise<DescribedTaskDefinition> {
  const command = new DescribeTaskDefinitionCommand({ taskDefinition, include: ["TAGS"] });
  const raw = captureJsonResponse(command);
  let output;
  try {
    output = await clients.ecs.send(command, signal ? { abortSignal: signal } : {});
  } catch (error) {
    const message = error instanceof Error ? error.message : "";
    if (awsErrorCode(error) === "ClientException" && /unable to describe|not found|does not exist/i.test(message)) {
      throw taskDefinitionNotFoundError(taskDefinition, message, error);
    }
    throw translateAwsError("DescribeTaskDefinition", taskDefinition, error);
  }
  const body = raw.value;
  const rawTaskDefinition = isObject(body) && isObject(body["taskDefinition"]) ? body["taskDefinition"] : undefined;
  const taskDefinitionJson = rawTaskDefinition ?? (JSON.parse(JSON.stringify(output.taskDefinition ?? {})) as Record<string, unknown>);
  const arn = output.taskDefinition?.taskDefinitionArn ?? String(taskDefinitionJson["taskDefinitionArn"] ?? taskDefinition);
  return { taskDefinitionArn: arn, taskDefinition: taskDefinitionJson, tags: tagsToMap(output.tags) };
}

/**
 * Registers a revision. `input` is sent verbatim as the request body (unknown fields and empty
 * strings included), with `tags`. Returns the new revision's ARN.
 */
export async function registerTaskDefinition(clients: Ecs, input: Readonly<Record<string, unknown>> & { family: string }, tags: TagMap): Promise<string> {
  const body = { ...input, ...(Object.keys(tags).length > 0 ? { tags: mapToTags(tags) } : {}) };
  const command = new RegisterTaskDefinitionCommand(body as unknown as ConstructorParameters<typeof RegisterTaskDefinitionCommand>[0]);
  sendJsonBody(command, body);
  const output = await awsCall("RegisterTaskDefinition", input.family, () => clients.ecs.send(command));
  const arn = output.taskDefinition?.taskDefinitionArn;
  if (!arn) throw translateAwsError("RegisterTaskDefinition", input.family, new Error("the response has no taskDefinitionArn"));
  return arn;
}

/** What updateService started. */
export interface StartedDeployment {
  readonly service: string;
  readonly taskDefinitionArn: string;
  /** The id of the deployment this update created (the PRIMARY one in the response). */
  readonly deploymentId: string;
  /** The service as UpdateService returned it. */
  readonly snapshot: Service | undefined;
}

/** Points a service at a revision; returns the deployment it started. */
export async function updateService(clients: Ecs, cluster: string, service: string, taskDefinitionArn: string, options: { forceNewDeployment?: boolean } = {}): Promise<StartedDeployment> {
  const output: UpdateServiceCommandOutput = await awsCall("UpdateService", `${cluster}/${service}`, () =>
    clients.ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: taskDefinitionArn, ...(options.forceNewDeployment ? { forceNewDeployment: true } : {}) })),
  );
  const deployments = output.service?.deployments ?? [];
  const primary = deployments.find((d) => d.status === "PRIMARY" && d.taskDefinition === taskDefinitionArn) ?? deployments.find((d) => d.status === "PRIMARY");
  return { service, taskDefinitionArn, deploymentId: primary?.id ?? "", snapshot: output.service };
}

/** What updating several services at once did. */
export interface ServiceUpdates {
  /** The updates ECS accepted; these roll out whatever happened to the others. */
  readonly started: StartedDeployment[];
  /** The first UpdateService that failed, if any. */
  readonly failure?: unknown;
}

/** Updates every service at once (the UpdateService calls are in flight together); one failed update does not stop the others. */
export async function updateServices(clients: Ecs, cluster: string, targets: ReadonlyArray<{ readonly service: string; readonly taskDefinitionArn: string }>): Promise<ServiceUpdates> {
  const updates = await Promise.allSettled(targets.map((t) => updateService(clients, cluster, t.service, t.taskDefinitionArn)));
  const started = updates.flatMap((u) => (u.status === "fulfilled" ? [u.value] : []));
  const failed = updates.find((u): u is PromiseRejectedResult => u.status === "rejected");
  return failed ? { started, failure: failed.reason } : { started };
}

/**
 * The error a partly failed update ends the command with: the failure itself, its message followed by
 * `note` (which services were already updated), and the command's `result` attached for --json.
 */
export function partialUpdateError(failure: unknown, note: string, result: unknown): unknown {
  return isEcsReleaseError(failure) ? withContext(failure, note, result) : failure;
}

/** Adds or overwrites tags on a resource (a task definition revision). */
export async function tagResource(clients: Ecs, resourceArn: string, tags: TagMap): Promise<void> {
  const list = mapToTags(tags);
  if (list.length === 0) return;
  await awsCall("TagResource", resourceArn, () => clients.ecs.send(new TagResourceCommand({ resourceArn, tags: list })));
}

type ServiceCommandLike = { middlewareStack: { add: (middleware: never, options: Record<string, unknown>) => void } };

/** Replaces the serialised request body with `body` as JSON (before Content-Length and signing). */
function sendJsonBody(command: ServiceCommandLike, body: unknown): void {
  const middleware = (next: (args: { request: unknown }) => Promise<unknown>) => async (args: { request: unknown }) => {
    const request = args.request as { body?: unknown; headers?: Record<string, string> };
    if (request && typeof request === "object" && "body" in request) request.body = JSON.stringify(body);
    return next(args);
  };
  command.middlewareStack.add(middleware as never, { step: "build", priority: "high", name: "ecsReleaseRawJsonBody" });
}

/** Keeps the JSON of a successful response (read before the SDK's deserialiser drops unknown fields). */
function captureJsonResponse(command: ServiceCommandLike): { value: unknown } {
  const holder: { value: unknown } = { value: undefined };
  const middleware = (next: (args: unknown) => Promise<{ response: unknown }>) => async (args: unknown) => {
    const result = await next(args);
    const response = result.response as { statusCode?: number; body?: unknown };
    if (response && typeof response.statusCode === "number" && response.statusCode >= 200 && response.statusCode < 300 && response.body !== undefined) {
      const bytes = await readBody(response.body);
      response.body = bytes;
      try {
        holder.value = JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        holder.value = undefined;
      }
    }
    return result;
  };
  command.middlewareStack.add(middleware as never, { step: "deserialize", priority: "low", name: "ecsReleaseCaptureJson" });
  return holder;
}

async function readBody(body: unknown): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body;
  if (typeof body === "string") return new TextEncoder().encode(body);
  const chunks: Uint8Array[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk);
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
