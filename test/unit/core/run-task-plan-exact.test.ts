/**
 * run-task-plan.ts's launch line word for word (capacity providers, launch type, network, ECS Exec,
 * tags), and the plan's log definition: the chosen container's, not the first one's.
 */
import type { RunTaskCommandInput } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { describeLaunch, planOneOffTask } from "../../../src/core/run-task-plan.js";

const TD = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7";
const plan = (input: Partial<RunTaskCommandInput>) => ({ container: "app", input: { cluster: "prod", taskDefinition: TD, ...input } as RunTaskCommandInput });

describe("describeLaunch", () => {
  it.each<[string, Partial<RunTaskCommandInput>, { command?: string[]; likeService?: string }, string]>([
    ["the cluster's default, no service", {}, {}, "container app runs its own command (the cluster's default capacity)"],
    ["a launch type and a command", { launchType: "FARGATE" }, { command: ["bin/migrate", "--all"] }, "container app runs bin/migrate --all (FARGATE)"],
    [
      "like a service: providers, subnets, security groups, ECS Exec, tags",
      {
        capacityProviderStrategy: [{ capacityProvider: "FARGATE" }, { capacityProvider: "cp-b" }],
        networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-1", "subnet-2"], securityGroups: ["sg-1", "sg-2"] } },
        enableExecuteCommand: true,
        tags: [{ key: "a", value: "1" }, { key: "b", value: "2" }],
      },
      { likeService: "web" },
      "container app runs its own command (like service web: capacity providers FARGATE, cp-b, subnets subnet-1,subnet-2, security groups sg-1,sg-2, ECS Exec on, 2 tags)",
    ],
    ["like a service, no security groups: the default", { networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-1"] } } }, { likeService: "web" }, "container app runs its own command (like service web: the cluster's default capacity, subnets subnet-1, security groups default)"],
    ["like a service, a network without subnets listed", { networkConfiguration: { awsvpcConfiguration: {} as never } }, { likeService: "web" }, "container app runs its own command (like service web: the cluster's default capacity, subnets , security groups default)"],
    ["no awsvpc configuration", { networkConfiguration: {} }, { likeService: "web" }, "container app runs its own command (like service web: the cluster's default capacity)"],
    ["extras without a service", { enableExecuteCommand: true, tags: [] }, {}, "container app runs its own command (the cluster's default capacity, ECS Exec on)"],
  ])("%s", (_what, input, request, expected) => expect(describeLaunch(plan(input), request)).toBe(expected));
});

describe("planOneOffTask: the log definition", () => {
  it("is the chosen container's", () => {
    const app = { name: "app", essential: true };
    const migrate = { name: "migrate", essential: true, logConfiguration: { logDriver: "awslogs" as const, options: { "awslogs-group": "/g" } } };
    const result = planOneOffTask(
      { cluster: "prod", container: "migrate", command: ["x"] } as Parameters<typeof planOneOffTask>[0],
      { revision: { arn: TD, name: "web:7", definition: { containerDefinitions: [app, migrate], networkMode: "bridge" } } } as Parameters<typeof planOneOffTask>[1],
    );
    expect(result.container).toBe("migrate");
    expect(result.logDefinition).toBe(migrate);
  });
});
