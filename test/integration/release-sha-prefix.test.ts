/**
 * `release --sha` as people copy it: `history` and `git log --oneline` show short SHAs, ECR holds the
 * image under the full SHA (push tags it so). A unique prefix of 7 or more hex digits resolves to that
 * tag; an ambiguous or absent one exits 2 listing the candidates, with nothing written.
 */
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { TAG } from "../../src/core/tags.js";
import { runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";
import { activeRevisions } from "../helpers/revisions.js";
import { pinnedImageUri, putImage, SEED_SHAS, seedEachTest } from "../helpers/seed.js";

const handle = useEmulator();
const clients = seedEachTest(handle);
const SHA_B = SEED_SHAS[1];

function release(sha: string) {
  return runCli(["release", "--cluster", "prod", "--service", "web", "--repository", "platform", "--sha", sha, "--ssm-path", "/platform/prod", "--poll-interval", "10ms"], handle.env());
}

async function webRevision(): Promise<string | undefined> {
  const out = await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }));
  return out.services?.[0]?.taskDefinition;
}

describe("release --sha PREFIX", () => {
  it("releases the image tagged with the one full SHA the 12-digit prefix names, and records the full SHA", async () => {
    const run = await release(SHA_B.slice(0, 12));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`--sha ${SHA_B.slice(0, 12)} is ${SHA_B}`);
    const out = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "web", include: ["TAGS"] }));
    expect(out.taskDefinition?.containerDefinitions?.find((c) => c.name === "app")?.image).toBe(await pinnedImageUri(clients, "platform", SHA_B));
    expect(out.tags?.find((t) => t.key === TAG.sha)?.value).toBe(SHA_B);
    expect(await webRevision()).toMatch(/:task-definition\/web:2$/);
  });

  it("exits 2 listing both candidates when the prefix is ambiguous, and writes nothing", async () => {
    const twin = `${SHA_B.slice(0, 12)}${"a".repeat(28)}`;
    await putImage(clients, "platform", twin);
    const run = await release(SHA_B.slice(0, 12));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--sha ${SHA_B.slice(0, 12)} matches 2 images in ECR repository platform: ${SHA_B}, ${twin} (pass more digits)`);
    expect(await activeRevisions(clients, "web")).toEqual([1]);
    // Positive control: one more digit makes it unique, and the same release goes through.
    const unique = await release(SHA_B.slice(0, 13));
    expect(unique.code, unique.stderr).toBe(0);
    expect(await activeRevisions(clients, "web")).toEqual([1, 2]);
  });

  it("exits 2 when no full-SHA tag starts with the prefix, and writes nothing", async () => {
    const run = await release("abcdef0123");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--sha abcdef0123: no image in ECR repository platform has a full-SHA tag starting with it");
    expect(await activeRevisions(clients, "web")).toEqual([1]);
  });
});
