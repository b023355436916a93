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
  return problems;
}

function formatKib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

const encoder = new TextEncoder();

function utf8Length(text: string): number {
  return encoder.encode(text).length;
}
