/**
 * The emulator enforces ECS's documented request limits and pages its lists as ECS does
 * (test/emulator/api-limits.ts cites the API Reference for each): moto itself takes any number of
 * services and answers every list in one page, so a client that ignores the limits would pass here
 * and fail on AWS.
 */
import { DescribeServicesCommand, DescribeTasksCommand, ListClustersCommand, ListServicesCommand, ListTaskDefinitionsCommand, ListTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, TagResourceCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { useEmulator } from "../helpers/emulator.js";
import { FILLER_SERVICES, seedManyServices } from "../helpers/many-services.js";
import { createCluster, SEED_NETWORK, seedEachTest } from "../helpers/seed.js";

const handle = useEmulator();
const clients = seedEachTest(handle, { maxAttempts: 1 });

const errorOf = (promise: Promise<unknown>): Promise<{ name?: string; message?: string }> => promise.then(() => ({ name: "no error" }), (error: { name?: string; message?: string }) => error);

describe("ECS's request limits", () => {
  it("DescribeServices: 10 services at most; 11 is InvalidParameterException", async () => {
    const names = Array.from({ length: 11 }, (_, i) => (i === 0 ? "web" : `missing-${i}`));
    const ten = await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: names.slice(0, 10) }));
    expect(ten.services?.map((s) => s.serviceName)).toEqual(["web"]);
    expect(ten.failures).toHaveLength(9);
    const eleven = await errorOf(clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: names })));
    expect(eleven).toMatchObject({ name: "InvalidParameterException", message: "service names can have at most 10 items." });
  });

  it("DescribeTasks: 100 tasks at most", async () => {
    const arn = (i: number): string => `arn:aws:ecs:us-east-1:123456789012:task/prod/${i.toString(16).padStart(32, "0")}`;
    await clients.ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: Array.from({ length: 100 }, (_, i) => arn(i)) }));
    const more = await errorOf(clients.ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: Array.from({ length: 101 }, (_, i) => arn(i)) })));
    expect(more).toMatchObject({ name: "InvalidParameterException", message: "tasks can have at most 100 items." });
  });

  it("tags: 50 a resource at most (aws: keys not counted; a key the resource has replaces it)", async () => {
    const tags = (n: number, prefix = "k"): Array<{ key: string; value: string }> => Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value: "v" }));
    const input = { family: "tagged", containerDefinitions: [{ name: "app", image: "busybox", memory: 64 }] };
    const refused = await errorOf(clients.ecs.send(new RegisterTaskDefinitionCommand({ ...input, tags: tags(51) })));
    expect(refused).toMatchObject({ name: "InvalidParameterException", message: expect.stringMatching(/51 tags; a resource can have at most 50/) });
    const { taskDefinition } = await clients.ecs.send(new RegisterTaskDefinitionCommand({ ...input, tags: tags(49) }));
    const arn = taskDefinition?.taskDefinitionArn ?? "";
    await clients.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [...tags(49), { key: "k49", value: "v" }] })); // 50
    const over = await errorOf(clients.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: "k50", value: "v" }] })));
    expect(over).toMatchObject({ name: "InvalidParameterException" });
  });
});

describe("ECS's paging", () => {
  it("ListServices: 10 a page by default, at most 100 (maxResults 1–100), then a nextToken for the rest", async () => {
    await seedManyServices(clients, "big", { last: (await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }))).services?.[0]?.taskDefinition ?? "" });
    const total = FILLER_SERVICES + 1;
    const first = await clients.ecs.send(new ListServicesCommand({ cluster: "big" }));
    expect(first.serviceArns).toHaveLength(10);
    expect(first.nextToken).toEqual(expect.any(String));
    const full = await clients.ecs.send(new ListServicesCommand({ cluster: "big", maxResults: 100 }));
    expect(full.serviceArns).toHaveLength(100);
    expect(full.serviceArns?.some((arn) => arn.endsWith("/last"))).toBe(false);
    const rest = await clients.ecs.send(new ListServicesCommand({ cluster: "big", maxResults: 100, nextToken: full.nextToken }));
    expect(rest.serviceArns).toEqual([expect.stringMatching(/service\/big\/last$/)]);
    expect(rest.nextToken).toBeUndefined();
    expect(new Set([...(full.serviceArns ?? []), ...(rest.serviceArns ?? [])]).size).toBe(total);
    for (const maxResults of [0, 101]) {
      expect(await errorOf(clients.ecs.send(new ListServicesCommand({ cluster: "big", maxResults })))).toMatchObject({ name: "InvalidParameterException" });
    }
    expect(await errorOf(clients.ecs.send(new ListServicesCommand({ cluster: "big", nextToken: "not-a-token" })))).toMatchObject({ name: "InvalidParameterException" });
  });

  it("ListClusters and ListTasks page with maxResults as well", async () => {
    await createCluster(clients, "staging");
    const one = await clients.ecs.send(new ListClustersCommand({ maxResults: 1 }));
    expect(one.clusterArns).toHaveLength(1);
    const two = await clients.ecs.send(new ListClustersCommand({ maxResults: 1, nextToken: one.nextToken }));
    expect(two.clusterArns).toHaveLength(1);
    expect(two.clusterArns?.[0]).not.toBe(one.clusterArns?.[0]);
    const { taskDefinitionArns } = await clients.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "worker" }));
    await clients.ecs.send(new RunTaskCommand({ cluster: "prod", taskDefinition: taskDefinitionArns?.[0] ?? "", count: 2, launchType: "FARGATE", networkConfiguration: SEED_NETWORK }));
    const tasks = await clients.ecs.send(new ListTasksCommand({ cluster: "prod" }));
    expect(tasks.taskArns).toHaveLength(2);
    const page = await clients.ecs.send(new ListTasksCommand({ cluster: "prod", maxResults: 1 }));
    expect(page.taskArns).toHaveLength(1);
    expect(page.nextToken).toEqual(expect.any(String));
  });
});
