/**
 * Several families: a RegisterTaskDefinition that fails after another succeeded must leave no
 * revision behind (it would be the next release's template, with no record of why it exists).
 */
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { useEmulator, writeOperations } from "../helpers/emulator.js";
import { activeRevisions, sha } from "../helpers/revisions.js";
import { putImage, seedEachTest } from "../helpers/seed.js";

const handle = useEmulator();
const clients = seedEachTest(handle);
const FAST = ["--poll-interval", "10ms", "--timeout", "1m"];

describe("release with a registration failing on one family", () => {
  it("deregisters the other family's new revision, names it, updates no service", async () => {
    await putImage(clients, "platform", sha("b"));
    // Only worker's registration is refused (its request names the family).
    await handle.emulator.addFault({ operation: "RegisterTaskDefinition", error: "AccessDeniedException", bodyIncludes: '"family":"worker"', message: "not allowed to register worker" });
    const before = (await handle.emulator.callLog()).length;
    const run = await runCli(["release", "--cluster", "prod", "--service", "web,worker", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", sha("b"), ...FAST], handle.env());
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/not allowed to register worker/);
    const writes = writeOperations((await handle.emulator.callLog()).slice(before));
    // Positive control: web:2 was registered (then deregistered); nothing was updated.
    expect(writes.map((w) => w.operation)).toContain("RegisterTaskDefinition");
    expect(writes.map((w) => w.operation)).not.toContain("UpdateService");
    expect(run.stderr).toMatch(/deregistered web:2: another family's registration failed/);
    expect(await activeRevisions(clients, "web")).toEqual([1]);
    expect(await activeRevisions(clients, "worker")).toEqual([1]);
  });
});
