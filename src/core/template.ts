/**
 * Task definition templates (cli.md, release steps 3–4). Pure.
 *
 * A template is a RegisterTaskDefinition input. It comes from a file (JSON or YAML, either the
 * RegisterTaskDefinition input shape or the `describe-task-definition` output `{taskDefinition, tags}`)
 * or from a revision that DescribeTaskDefinition returned. Either way the fields only
 * DescribeTaskDefinition returns are dropped and every other field is kept verbatim — also fields
 * newer than our SDK knows, and empty strings — so nothing of the user's configuration is lost.
 */
import { parse as parseYaml } from "yaml";
import { ValidationError } from "./errors.js";

/** A container definition: the fields we touch, typed; every other field kept as is. */
export interface ContainerDefinitionInput {
  name?: string;
  image?: string;
  environment?: Array<{ name?: string; value?: string }>;
  secrets?: Array<{ name?: string; valueFrom?: string }>;
  [field: string]: unknown;
}

/** A RegisterTaskDefinition input: the fields we touch, typed; every other field kept as is. */
export interface TaskDefinitionInput {
  family: string;
  containerDefinitions: ContainerDefinitionInput[];
  executionRoleArn?: string;
  [field: string]: unknown;
}

/** A template: the input to register plus the tags it carries. */
export interface TaskDefinitionTemplate {
  readonly input: TaskDefinitionInput;
  /** The template's own tags (ecs-release's keys and AWS-reserved `aws:` keys removed). */
  readonly tags: Readonly<Record<string, string>>;
  /** Where it came from, for messages: a file name or a task definition ARN. */
  readonly source: string;
  /** The SSM path the revision was released from (its `ecs-release:ssm-path` tag), when it records one. */
  readonly releasedFromSsmPath?: string;
}

/** Fields DescribeTaskDefinition returns that RegisterTaskDefinition does not take. */
export const READ_ONLY_FIELDS = [
  "taskDefinitionArn",
  "revision",
  "status",
  "requiresAttributes",
  "compatibilities",
  "registeredAt",
  "registeredBy",
  "deregisteredAt",
] as const;

/** The prefix of every tag key ecs-release writes (see tags.ts). */
const OWN_TAG_PREFIX = "ecs-release:";

/**
 * Parses a template file's text (JSON, else YAML). Accepts the RegisterTaskDefinition input shape
 * and the `describe-task-definition` output (`{"taskDefinition": {...}, "tags": [...]}`).
 * Throws a ValidationError naming `source` when the text is not a task definition.
 */
export function parseTemplate(text: string, source: string): TaskDefinitionTemplate {
  let document: unknown;
  try {
    document = /^\s*[{[]/.test(text) ? JSON.parse(text) : parseYaml(text, { logLevel: "error" });
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split("\n")[0] ?? error.message) : String(error);
    throw new ValidationError(`template ${source} is neither valid JSON nor YAML: ${reason}`, { cause: error });
  }
  if (!isObject(document)) throw notATaskDefinition(source, "it is not an object");
  const wrapped = isObject(document["taskDefinition"]) ? document["taskDefinition"] : undefined;
  const body = wrapped ?? document;
  const tags = wrapped ? document["tags"] : body["tags"];
  return toTemplate(body, tags, source);
}

/**
 * A template from a revision DescribeTaskDefinition returned (raw JSON, unknown fields included)
 * and its tags.
 */
export function templateFromRevision(taskDefinition: Readonly<Record<string, unknown>>, tags: unknown, source: string): TaskDefinitionTemplate {
  return toTemplate(taskDefinition, tags, source);
}

function toTemplate(body: Readonly<Record<string, unknown>>, rawTags: unknown, source: string): TaskDefinitionTemplate {
  const containers = body["containerDefinitions"];
  if (typeof body["family"] !== "string" || body["family"] === "") throw notATaskDefinition(source, `it has no "family"`);
  if (!Array.isArray(containers) || containers.length === 0 || !containers.every(isObject)) {
    throw notATaskDefinition(source, `it has no "containerDefinitions" array of objects`);
  }
  const unnamed = containers.filter((c) => typeof c["name"] !== "string" || c["name"] === "").length;
  if (unnamed > 0) throw notATaskDefinition(source, `${unnamed} container definition${unnamed === 1 ? " has" : "s have"} no "name"`);
  const malformed = containers.flatMap((c) => malformedLists(c));
  if (malformed.length > 0) throw notATaskDefinition(source, malformed.join("; "));

  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if ((READ_ONLY_FIELDS as readonly string[]).includes(key) || key === "tags") continue;
    input[key] = structuredClone(value);
  }
  // YAML reads `cpu: 256` as a number; the API takes task-level cpu and memory as strings.
  for (const key of ["cpu", "memory"]) if (typeof input[key] === "number") input[key] = String(input[key]);
  for (const container of input["containerDefinitions"] as ContainerDefinitionInput[]) {
    if (Array.isArray(container.environment)) {
      container.environment = container.environment.map((e) => ({ ...e, ...(e.value !== undefined && typeof e.value !== "string" ? { value: String(e.value) } : {}) }));
    }
  }
  const tags = readTags(rawTags);
  const releasedFromSsmPath = tags[`${OWN_TAG_PREFIX}ssm-path`];
  return { input: input as TaskDefinitionInput, tags: ownTagsRemoved(tags), source, ...(releasedFromSsmPath ? { releasedFromSsmPath } : {}) };
}

/** What is wrong with a container's `environment` and `secrets` lists (code further on relies on their shape). */
function malformedLists(container: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const lists = [
    ["environment", "value"],
    ["secrets", "valueFrom"],
  ] as const;
  for (const [field, valueKey] of lists) {
    const list = container[field];
    if (list === undefined || list === null) continue;
    const ok =
      Array.isArray(list) &&
      list.every((entry) => isObject(entry) && typeof entry["name"] === "string" && (field === "environment" ? entry[valueKey] === undefined || !isObject(entry[valueKey]) && !Array.isArray(entry[valueKey]) : typeof entry[valueKey] === "string"));
    if (!ok) {
      const shape = field === "environment" ? `{"name": "...", "value": "..."}` : `{"name": "...", "valueFrom": "..."}`;
      problems.push(`container "${String(container["name"])}" has a "${field}" that is not a list of ${shape}`);
    }
  }
  return problems;
}

function readTags(raw: unknown): Record<string, string> {
  const map: Record<string, string> = {};
  if (!Array.isArray(raw)) return map;
  for (const tag of raw) {
    if (!isObject(tag)) continue;
    const key = tag["key"] ?? tag["Key"];
    const value = tag["value"] ?? tag["Value"];
    if (typeof key === "string") map[key] = value === undefined || value === null ? "" : String(value);
  }
  return map;
}

/**
 * The template's tags without ecs-release's own (they describe another release) and without the
 * `aws:` ones: that prefix is reserved for AWS, and a RegisterTaskDefinition that sets one is refused.
 */
function ownTagsRemoved(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter(([key]) => !key.startsWith(OWN_TAG_PREFIX) && !/^aws:/i.test(key)));
}

function notATaskDefinition(source: string, why: string): ValidationError {
  return new ValidationError(
    `template ${source} is not a task definition: ${why} (expected RegisterTaskDefinition input, or the output of aws ecs describe-task-definition)`,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
