/**
 * release --image records the commit the image was built from (TAG.sha): its tag when that is a
 * full SHA, even in a pipeline of another commit (CIRCLE_SHA1), so `rollback --to sha:` finds it.
 */
import { DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { TAG } from "../../src/core/tags.js";
import { runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";
import { imageUri, SEED_SHAS, seedEachTest } from "../helpers/seed.js";

const handle = useEmulator();
const [SHA_A, SHA_B] = SEED_SHAS;
const clients = seedEachTest(handle);

async function releasedSha(args: string[], env: Record<string, string>): Promise<string | undefined> {
  const run = await runCli(["release", "--cluster", "prod", "--service", "web", "--ssm-path", "/platform/prod", "--poll-interval", "10ms", ...args], { ...handle.env(), ...env });
  expect(run.code, run.stderr).toBe(0);
  const out = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "web", include: ["TAGS"] }));
  return out.tags?.find((t) => t.key === TAG.sha)?.value;
}

describe("release --image: the SHA recorded", () => {
  it("is the image's full-SHA tag, not the pipeline's commit; --sha still wins", async () => {
    expect(await releasedSha(["--image", imageUri("platform", SHA_B!)], { CIRCLE_SHA1: SHA_A! })).toBe(SHA_B);
    expect(await releasedSha(["--image", imageUri("platform", SHA_A!), "--sha", SHA_B!], { CIRCLE_SHA1: SHA_B! })).toBe(SHA_B);
    expect(await releasedSha(["--image", "public.ecr.aws/acme/web:latest", "--container", "app"], { CIRCLE_SHA1: SHA_A! })).toBe(SHA_A);
  });
});
