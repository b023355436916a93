/**
 * ECS limits a rendered revision must fit (checked before anything is written). Pure.
 * From the Amazon ECS service quotas and the RegisterTaskDefinition / TagResource references:
 * a task definition is at most 64 KiB, has at most 10 containers, and a resource at most 50 tags
 * (keys ≤ 128 characters, values ≤ 256).
 */
import type { TaskDefinitionInput } from "./template.js";

/** The limits, named. */
export const ECS_LIMITS = {
  taskDefinitionBytes: 64 * 1024,
  containersPerTaskDefinition: 10,
  tagsPerResource: 50,
  tagKeyLength: 128,
  tagValueLength: 256,
} as const;

/** How many tags ecs-release adds to a revision after registering it (TAG.outcome, TAG.rolledBackAt, TAG.rollbackRun). */
export const TAGS_ADDED_LATER = 3;

/** The size ECS counts: the JSON of the RegisterTaskDefinition input, in UTF-8 bytes. */
export function taskDefinitionSize(input: TaskDefinitionInput, tags: Readonly<Record<string, string>> = {}): number {
  const tagList = Object.entries(tags).map(([key, value]) => ({ key, value }));
  return utf8Length(JSON.stringify({ ...input, ...(tagList.length > 0 ? { tags: tagList } : {}) }));
}

/** Every limit the revision breaks, as one phrase each (empty when it fits). */
export function checkTaskDefinitionLimits(input: TaskDefinitionInput, tags: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  const size = taskDefinitionSize(input, tags);
  if (size > ECS_LIMITS.taskDefinitionBytes) {
    const environmentBytes = input.containerDefinitions.reduce((sum, c) => sum + utf8Length(JSON.stringify(c.environment ?? [])), 0);
    problems.push(
      `family ${input.family}: the task definition is ${size} bytes, over ECS's limit of ${ECS_LIMITS.taskDefinitionBytes} bytes (64 KiB; the environment takes ${formatKib(environmentBytes)}: move large values out of SSM or use --secure-strings secrets)`,
    );
  }
  if (input.containerDefinitions.length > ECS_LIMITS.containersPerTaskDefinition) {
    problems.push(`family ${input.family}: ${input.containerDefinitions.length} containers, over ECS's limit of ${ECS_LIMITS.containersPerTaskDefinition}`);
  }
  const nonEmpty = Object.entries(tags).filter(([, value]) => value !== "");
  // Tags with the reserved aws: prefix do not count against ECS's limit. Room is kept for the tags
  // ecs-release adds after registration: the outcome (release), the rollback time and the rollback's run (rollback).
  const counted = nonEmpty.filter(([key]) => !/^aws:/i.test(key)).length;
  const room = ECS_LIMITS.tagsPerResource - TAGS_ADDED_LATER;
  if (counted > room) {
    problems.push(
      `family ${input.family}: ${counted} tags, over the ${room} that leave room for the ${TAGS_ADDED_LATER} ecs-release adds later (ECS allows ${ECS_LIMITS.tagsPerResource} per revision; remove some from the template)`,
    );
  }
  const longKeys = nonEmpty.filter(([key]) => key.length > ECS_LIMITS.tagKeyLength).map(([key]) => key);
  if (longKeys.length > 0) problems.push(`family ${input.family}: tag keys longer than ${ECS_LIMITS.tagKeyLength} characters: ${longKeys.join(", ")}`);
  problems.push(...checkAwsNames(input, tags));
  return problems;
}

/**
 * RegisterTaskDefinition's family and a container's name: up to 255 letters, numbers, hyphens and
 * underscores (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html,
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html).
 */
export const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * A tag key or value: letters, numbers and spaces (any script), and `_ . : / = + - @`
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html).
 */
export const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/**
 * Why `image` is not an image ECS accepts, or undefined. ContainerDefinition.image: with a tag, up to
 * 255 characters of letters, numbers, `- _ : . / #`; with a digest, those rules before the `@` and
 * `sha256:` plus 64 hex digits after it (API_ContainerDefinition.html, above).
 */
export function imageProblem(image: string): string | undefined {
  const at = image.indexOf("@");
  const name = at < 0 ? image : image.slice(0, at);
  const shown = JSON.stringify(image.length > 80 ? `${image.slice(0, 80)}…` : image);
  if (name.length === 0) return `image ${shown} is empty`;
  if (name.length > 255) return `image ${shown} is ${name.length} characters long, over ECS's 255`;
  if (!/^[A-Za-z0-9_:./#-]+$/.test(name)) return `image ${shown} has characters ECS does not allow (letters, digits, - _ : . / # only)`;
  if (at >= 0 && !/^sha256:[A-Fa-f0-9]{64}$/.test(image.slice(at + 1))) return `image ${shown} has a digest that is not sha256: and 64 hex digits`;
  return undefined;
}

/**
 * The names and values of a rendered revision that ECS would refuse, checked before anything is
 * written: the family, every container's name and image, the names of the environment variables
 * (none empty, none with `=` or a control character), and the tags' characters and value lengths.
 */
export function checkAwsNames(input: TaskDefinitionInput, tags: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  const family = JSON.stringify(input.family);
  if (!ECS_NAME.test(input.family)) problems.push(`family ${family} is not a valid task definition family (up to 255 letters, digits, - and _)`);
  for (const container of input.containerDefinitions) {
    const name = container.name ?? "";
    if (!ECS_NAME.test(name)) problems.push(`family ${family}: container name ${JSON.stringify(name)} is not valid (up to 255 letters, digits, - and _)`);
    const image = imageProblem(container.image ?? "");
    if (image !== undefined) problems.push(`family ${family}, container ${JSON.stringify(name)}: ${image}`);
    const badNames = (container.environment ?? []).map((e) => e.name ?? "").filter((n) => n === "" || /[=\u0000-\u001f\u007f]/.test(n));
    if (badNames.length > 0) problems.push(`family ${family}, container ${JSON.stringify(name)}: environment variable names ${badNames.map((n) => JSON.stringify(n)).join(", ")} are not valid`);
  }
  for (const [key, value] of Object.entries(tags)) {
    if (value === "") continue;
    if (!TAG_CHARACTERS.test(key)) problems.push(`family ${family}: tag key ${JSON.stringify(key)} has characters ECS does not allow (letters, digits, spaces and _ . : / = + - @)`);
    if (!TAG_CHARACTERS.test(value)) problems.push(`family ${family}: the value of tag ${JSON.stringify(key)} has characters ECS does not allow (letters, digits, spaces and _ . : / = + - @)`);
    if (value.length > ECS_LIMITS.tagValueLength) problems.push(`family ${family}: the value of tag ${JSON.stringify(key)} is ${value.length} characters, over ECS's ${ECS_LIMITS.tagValueLength}`);
  }
  return problems;
}

function formatKib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

const encoder = new TextEncoder();

function utf8Length(text: string): number {
  return encoder.encode(text).length;
}
