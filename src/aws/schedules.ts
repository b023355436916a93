/**
 * What else runs task definitions besides services: EventBridge rules whose targets run an ECS task,
 * and EventBridge Scheduler schedules with an ECS target. A deregistered revision can start no task
 * ("You can't use an INACTIVE task definition to run new tasks",
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeregisterTaskDefinition.html), so
 * prune and rollback keep the revisions these name. Reading only; each entry names the rule or
 * schedule, its target and the task definition it runs, as the APIs return them.
 */
import { ListEventBusesCommand, ListRulesCommand, ListTargetsByRuleCommand, type Target } from "@aws-sdk/client-eventbridge";
import { GetScheduleCommand, ListSchedulesCommand, type ScheduleSummary } from "@aws-sdk/client-scheduler";
import { mapConcurrently } from "../core/map-concurrently.js";
import type { ScheduledTaskTarget } from "../core/revision-usage.js";
import { awsCall } from "./call.js";
import type { AwsClients } from "./clients.js";

/** How many rule or schedule reads run at once. */
const CONCURRENCY = 5;

/**
 * Every EventBridge rule target that runs an ECS task (EcsParameters.TaskDefinitionArn), on every
 * event bus of the region: ListEventBuses, ListRules per bus, ListTargetsByRule per rule
 * (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_EcsParameters.html).
 */
export async function listRuleTaskTargets(clients: Pick<AwsClients, "events">, signal?: AbortSignal): Promise<ScheduledTaskTarget[]> {
  const options = signal ? { abortSignal: signal } : {};
  const buses = await pages((NextToken) => awsCall("ListEventBuses", "*", () => clients.events.send(new ListEventBusesCommand({ ...(NextToken ? { NextToken } : {}) }), options)), (page) => page.EventBuses ?? []);
  const rules = (
    await mapConcurrently(buses, CONCURRENCY, async (bus) => {
      const name = bus.Name ?? "default";
      const found = await pages((NextToken) => awsCall("ListRules", name, () => clients.events.send(new ListRulesCommand({ EventBusName: name, ...(NextToken ? { NextToken } : {}) }), options)), (page) => page.Rules ?? []);
      return found.map((rule) => ({ bus: name, rule: rule.Name ?? "" }));
    })
  ).flat();
  const targets = await mapConcurrently(rules, CONCURRENCY, async ({ bus, rule }) => {
    const listed = await pages(
      (NextToken) => awsCall("ListTargetsByRule", `${bus}/${rule}`, () => clients.events.send(new ListTargetsByRuleCommand({ Rule: rule, EventBusName: bus, ...(NextToken ? { NextToken } : {}) }), options)),
      (page) => page.Targets ?? [],
    );
    return listed.filter((t): t is Target & { EcsParameters: { TaskDefinitionArn: string } } => typeof t.EcsParameters?.TaskDefinitionArn === "string").map((target) => ({
      kind: "rule" as const,
      id: bus === "default" ? rule : `${bus}/${rule}`,
      targetId: target.Id ?? "",
      targetArn: target.Arn ?? "",
      taskDefinitionArn: target.EcsParameters.TaskDefinitionArn,
    }));
  });
  return targets.flat();
}

/**
 * Every EventBridge Scheduler schedule whose target is an ECS cluster (a templated ECS RunTask
 * target, https://docs.aws.amazon.com/scheduler/latest/APIReference/API_EcsParameters.html): ListSchedules,
 * then GetSchedule for those (the summary does not carry the task definition).
 */
export async function listScheduleTaskTargets(clients: Pick<AwsClients, "scheduler">, signal?: AbortSignal): Promise<ScheduledTaskTarget[]> {
  const options = signal ? { abortSignal: signal } : {};
  const summaries = await pages((NextToken) => awsCall("ListSchedules", "*", () => clients.scheduler.send(new ListSchedulesCommand({ ...(NextToken ? { NextToken } : {}) }), options)), (page) => page.Schedules ?? []);
  const ecs = summaries.filter((s: ScheduleSummary) => /^arn:aws[\w-]*:ecs:[^:]+:\d{12}:cluster\//.test(s.Target?.Arn ?? ""));
  const read = await mapConcurrently(ecs, CONCURRENCY, async (summary) => {
    const name = summary.Name ?? "";
    const group = summary.GroupName ?? "default";
    const schedule = await awsCall("GetSchedule", `${group}/${name}`, () => clients.scheduler.send(new GetScheduleCommand({ Name: name, GroupName: group }), options));
    const taskDefinitionArn = schedule.Target?.EcsParameters?.TaskDefinitionArn;
    if (taskDefinitionArn === undefined) return [];
    return [{ kind: "schedule" as const, id: group === "default" ? name : `${group}/${name}`, targetId: "", targetArn: schedule.Target?.Arn ?? "", taskDefinitionArn }];
  });
  return read.flat();
}

/** Both: the rule targets and the schedules that run ECS tasks, read concurrently. */
export async function listScheduledTaskTargets(clients: Pick<AwsClients, "events" | "scheduler">, signal?: AbortSignal): Promise<ScheduledTaskTarget[]> {
  const [rules, schedules] = await Promise.all([listRuleTaskTargets(clients, signal), listScheduleTaskTargets(clients, signal)]);
  return [...rules, ...schedules];
}

/** Every page of a paged call (NextToken), its items in order. */
async function pages<P extends { NextToken?: string | undefined }, T>(call: (token: string | undefined) => Promise<P>, items: (page: P) => readonly T[]): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const page = await call(token);
    all.push(...items(page));
    token = page.NextToken || undefined;
  } while (token);
  return all;
}
