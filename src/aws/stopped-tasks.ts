/**
 * The stopped tasks of a failed deployment, with the two calls that cost least: ListTasks by the
 * deployment's startedBy (ECS starts a service's tasks with `startedBy` = the deployment id) and
 * desiredStatus STOPPED (stopped tasks stay listed for at least an hour:
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTasks.html), then one
 * DescribeTasks. Best effort: the caller reports a failure either way.
 */
import { DescribeTasksCommand, ListTasksCommand, type Task } from "@aws-sdk/client-ecs";
import { STOPPED_TASKS_NAMED } from "../core/stopped-tasks.js";
import { awsCall } from "./call.js";
import type { AwsClients } from "./clients.js";

/** Up to `limit` stopped tasks of deployment `deploymentId` in `cluster`. */
export async function stoppedTasksOfDeployment(clients: Pick<AwsClients, "ecs">, cluster: string, deploymentId: string, limit = STOPPED_TASKS_NAMED, signal?: AbortSignal): Promise<Task[]> {
  const options = signal ? { abortSignal: signal } : {};
  const listed = await awsCall("ListTasks", `${cluster}/${deploymentId}`, () =>
    clients.ecs.send(new ListTasksCommand({ cluster, startedBy: deploymentId, desiredStatus: "STOPPED", maxResults: Math.max(limit, 1) }), options),
  );
  const arns = (listed.taskArns ?? []).slice(0, limit);
  if (arns.length === 0) return [];
  const described = await awsCall("DescribeTasks", `${cluster}/${arns.length} tasks`, () => clients.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }), options));
  return described.tasks ?? [];
}

/** Up to `limit` recently stopped tasks of service `service` (ListTasks by serviceName, desired status STOPPED; one DescribeTasks). */
export async function stoppedTasksOfService(clients: Pick<AwsClients, "ecs">, cluster: string, service: string, limit = STOPPED_TASKS_NAMED, signal?: AbortSignal): Promise<Task[]> {
  const options = signal ? { abortSignal: signal } : {};
  const listed = await awsCall("ListTasks", `${cluster}/${service}`, () => clients.ecs.send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus: "STOPPED", maxResults: Math.max(limit, 1) }), options));
  const arns = (listed.taskArns ?? []).slice(0, limit);
  if (arns.length === 0) return [];
  const described = await awsCall("DescribeTasks", `${cluster}/${arns.length} tasks`, () => clients.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }), options));
  return described.tasks ?? [];
}
