/**
 * ECS's service deployment record read without assuming an order. The API reference documents none
 * for ListServiceDeployments (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServiceDeployments.html),
 * and the emulator answers oldest first; its `createdAt` filter (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreatedAt.html)
 * narrows the answer instead. A service with more deployments than one small page: a reader that took
 * the first page for the newest would judge every current view stale (rollback, status) and miss its
 * own deployment (release's wait).
 */
import { ListServiceDeploymentsCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";
import { registerRevision, rollOut, sha } from "../helpers/revisions.js";
import { seedEachTest } from "../helpers/seed.js";

const handle = useEmulator();
const clients = seedEachTest(handle);
const ROLLOUTS = 11; // and CreateService's: one more than a page of 10

/** web rolled out ROLLOUTS times (revisions recorded stable); returns the last revision number. */
async function manyDeployments(): Promise<number> {
  let last = "";
  for (let i = 0; i < ROLLOUTS; i++) last = await rollOut(clients, "prod", "web", await registerRevision(clients, { family: "web", sha: sha(i.toString(16)), outcome: "stable", pushImage: true }));
  return Number(last.split(":").pop());
}

describe("ListServiceDeployments in no particular order", () => {
  it("the emulator lists oldest first (positive control: the first small page is not the newest)", async () => {
    await manyDeployments();
    const page = await clients.ecs.send(new ListServiceDeploymentsCommand({ cluster: "prod", service: "web", maxResults: 10 }));
    const times = (page.serviceDeployments ?? []).map((b) => b.createdAt?.getTime() ?? 0);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(page.nextToken).toBeDefined();
  });

  it("rollback --dry-run and status of a service with many deployments confirm its view; rollback goes back one revision", async () => {
    const last = await manyDeployments();
    const run = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--dry-run", "--poll-interval", "10ms", "--timeout", "20s"], handle.env());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`web: web:${last} → would roll back to web:${last - 1}`);
    expect(run.stderr).not.toContain("DescribeServices showed the service before its newest service deployment");
    const status = await runCli(["status", "--cluster", "prod", "--service", "web"], handle.env());
    expect(status.code, status.stderr).toBe(0);
    expect(status.stderr).not.toContain("does not show its newest service deployment");
  });
});
