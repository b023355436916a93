/**
 * Scheduled ECS tasks, as EventBridge and EventBridge Scheduler hold them: reading every rule target
 * and schedule that runs an ECS task, and pointing one at another task definition revision. Returns
 * data; words nothing. Scheduled rules live on the default event bus only ("Schedule expressions are
 * only supported on the default event bus": https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html).
 */
import { ListRulesCommand, ListTargetsByRuleCommand, PutTargetsCommand, type Target } from "@aws-sdk/client-eventbridge";
import { GetScheduleCommand, ListSchedulesCommand, UpdateScheduleCommand, type GetScheduleCommandOutput, type UpdateScheduleCommandInput } from "@aws-sdk/client-scheduler";
import { AwsCallError } from "../core/errors.js";
import { awsCall } from "./call.js";
import type { AwsClients } from "./clients.js";

/** An EventBridge rule's target that runs an ECS task (its EcsParameters name the task definition). */
export interface EcsRuleTarget {
  readonly rule: string;
  /** The target as ListTargetsByRule returned it (PutTargets replaces it whole: every field is kept). */
  readonly target: Target;
}

/** A Scheduler schedule that runs an ECS task, as GetSchedule returned it. */
export type EcsSchedule = GetScheduleCommandOutput;

/** The targets of every rule on the default event bus that run an ECS task (ListRules, ListTargetsByRule; paged). */
export async function listEcsRuleTargets(clients: Pick<AwsClients, "events">, signal?: AbortSignal): Promise<EcsRuleTarget[]> {
  const options = signal ? { abortSignal: signal } : {};
  const rules: string[] = [];
  let token: string | undefined;
  do {
    const next = token;
    const page = await awsCall("ListRules", "default event bus", () => clients.events.send(new ListRulesCommand({ Limit: 100, ...(next ? { NextToken: next } : {}) }), options));
    for (const rule of page.Rules ?? []) if (rule.Name) rules.push(rule.Name);
    token = page.NextToken || undefined;
  } while (token);
  const found: EcsRuleTarget[] = [];
  for (const rule of rules) {
    let targetToken: string | undefined;
    do {
      const next = targetToken;
      const page = await awsCall("ListTargetsByRule", rule, () => clients.events.send(new ListTargetsByRuleCommand({ Rule: rule, Limit: 100, ...(next ? { NextToken: next } : {}) }), options));
      for (const target of page.Targets ?? []) if (target.EcsParameters?.TaskDefinitionArn) found.push({ rule, target });
      targetToken = page.NextToken || undefined;
    } while (targetToken);
  }
  return found;
}

/** Replaces a rule's target (PutTargets with the whole target, as ListTargetsByRule gave it, and the new task definition). */
export async function pointRuleTarget(clients: Pick<AwsClients, "events">, found: EcsRuleTarget, taskDefinitionArn: string): Promise<void> {
  const ecs = found.target.EcsParameters;
  if (!ecs) throw new AwsCallError("PutTargets", found.rule, "the target has no EcsParameters");
  const out = await awsCall("PutTargets", `${found.rule}/${found.target.Id ?? ""}`, () =>
    clients.events.send(new PutTargetsCommand({ Rule: found.rule, Targets: [{ ...found.target, EcsParameters: { ...ecs, TaskDefinitionArn: taskDefinitionArn } }] })),
  );
  const failure = out.FailedEntries?.[0];
  if ((out.FailedEntryCount ?? 0) > 0 || failure) throw new AwsCallError("PutTargets", `${found.rule}/${found.target.Id ?? ""}`, `${failure?.ErrorCode ?? "failed"}: ${failure?.ErrorMessage ?? ""}`);
}

/** Every schedule (all groups) whose target runs an ECS task: ListSchedules (paged), then GetSchedule for those targeting an ECS cluster. */
export async function listEcsSchedules(clients: Pick<AwsClients, "scheduler">, signal?: AbortSignal): Promise<EcsSchedule[]> {
  const options = signal ? { abortSignal: signal } : {};
  const candidates: Array<{ name: string; group: string | undefined }> = [];
  let token: string | undefined;
  do {
    const next = token;
    const page = await awsCall("ListSchedules", "all schedule groups", () => clients.scheduler.send(new ListSchedulesCommand({ MaxResults: 100, ...(next ? { NextToken: next } : {}) }), options));
    for (const schedule of page.Schedules ?? []) {
      // An ECS RunTask target's Arn is the cluster's (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-templated.html).
      if (schedule.Name && /^arn:aws[\w-]*:ecs:[^:]+:\d+:cluster\//.test(schedule.Target?.Arn ?? "")) candidates.push({ name: schedule.Name, group: schedule.GroupName });
    }
    token = page.NextToken || undefined;
  } while (token);
  const schedules: EcsSchedule[] = [];
  for (const { name, group } of candidates) {
    const schedule = await awsCall("GetSchedule", `${group ?? "default"}/${name}`, () => clients.scheduler.send(new GetScheduleCommand({ Name: name, ...(group ? { GroupName: group } : {}) }), options));
    if (schedule.Target?.EcsParameters?.TaskDefinitionArn) schedules.push(schedule);
  }
  return schedules;
}

/**
 * Points a schedule at another task definition. UpdateSchedule replaces the whole schedule ("you must
 * provide all the required parameters … not only the ones you want to change":
 * https://docs.aws.amazon.com/scheduler/latest/APIReference/API_UpdateSchedule.html), so every field
 * GetSchedule gave is sent back.
 */
export async function pointSchedule(clients: Pick<AwsClients, "scheduler">, schedule: EcsSchedule, taskDefinitionArn: string): Promise<void> {
  const target = schedule.Target;
  if (!target?.EcsParameters || !schedule.Name || !schedule.ScheduleExpression || !schedule.FlexibleTimeWindow) {
    throw new AwsCallError("UpdateSchedule", schedule.Name ?? "?", "GetSchedule gave an incomplete schedule");
  }
  const { Name, GroupName } = schedule;
  // Every field of the schedule as GetSchedule gave it, the task definition changed (the answer's own
  // Arn, CreationDate, LastModificationDate and $metadata are not UpdateSchedule's).
  const kept = ["GroupName", "ScheduleExpressionTimezone", "StartDate", "EndDate", "Description", "State", "KmsKeyArn", "ActionAfterCompletion"] as const;
  const input: UpdateScheduleCommandInput = { Name, ScheduleExpression: schedule.ScheduleExpression, FlexibleTimeWindow: schedule.FlexibleTimeWindow, Target: { ...target, EcsParameters: { ...target.EcsParameters, TaskDefinitionArn: taskDefinitionArn } } };
  for (const key of kept) if (schedule[key] !== undefined) Object.assign(input, { [key]: schedule[key] });
  await awsCall("UpdateSchedule", `${GroupName ?? "default"}/${Name}`, () => clients.scheduler.send(new UpdateScheduleCommand(input)));
}
