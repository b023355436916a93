import { describe, expect, it } from "vitest";
import { MotoReadCache, type RevisionBody } from "../../emulator/moto-cache.js";

const WHERE = { region: "us-east-1", account: "123456789012" };
const definition = (arn: string) => ({ taskDefinitionArn: arn, status: "ACTIVE", containerDefinitions: [{ name: "app", image: "nginx" }] });

/** Reads `reference` through the cache, counting what reaches `load`. */
async function read(cache: MotoReadCache, reference: string): Promise<{ body: RevisionBody | undefined; loads: number }> {
  let loads = 0;
  const body = await cache.revision(reference, async () => {
    loads += 1;
    return { taskDefinitionArn: `loaded ${reference}`, containerDefinitions: [] };
  });
  return { body, loads };
}

describe("MotoReadCache.registered: a revision registered through the front", () => {
  it("is kept under its ARN and family:N, body and status, as the front's own reads would find it", async () => {
    const cache = new MotoReadCache();
    const arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7";
    cache.registered(definition(arn), WHERE);
    for (const reference of [arn, "web:7"]) {
      expect(await read(cache, reference)).toEqual({ body: { taskDefinitionArn: arn, containerDefinitions: [{ name: "app", image: "nginx" }] }, loads: 0 });
      expect(await cache.status(reference, async () => "loaded")).toEqual({ status: 200, json: { taskDefinition: definition(arn) } });
    }
  });

  it("is not kept when registered in another region or account than the front's reads ask, nor without a revision ARN", async () => {
    const cache = new MotoReadCache();
    cache.registered(definition("arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7"), WHERE);
    cache.registered(definition("arn:aws:ecs:us-east-1:210987654321:task-definition/api:3"), WHERE);
    cache.registered({ status: "ACTIVE" }, WHERE);
    expect((await read(cache, "web:7")).loads).toBe(1);
    expect((await read(cache, "api:3")).loads).toBe(1);
  });

  it("is forgotten by a reset and, for its status, by a deregistration", async () => {
    const cache = new MotoReadCache();
    cache.registered(definition("arn:aws:ecs:us-east-1:123456789012:task-definition/web:7"), WHERE);
    cache.invalidate("ecs", "DeregisterTaskDefinition");
    expect(await cache.status("web:7", async () => "read again")).toBe("read again");
    expect((await read(cache, "web:7")).loads).toBe(0);
    cache.clear();
    expect((await read(cache, "web:7")).loads).toBe(1);
  });
});
