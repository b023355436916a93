/**
 * Adoption: the first release over a revision ecs-release did not register. A release renders from
 * the family's latest revision and makes SSM the whole environment of the application container, so
 * on a revision written by hand (Terraform, CDK) it would drop the literal variables production runs
 * on; and a revision registered after the running one, outside ecs-release, would be copied unnamed.
 * Both exit 2 with nothing written until adopted: --adopt, or the approved --plan-file. `--template`
 * names a template explicitly. Against the emulator; "nothing written" is read from its call log.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, type CliRun } from "../helpers/cli.js";
import { useEmulator, writeOperations } from "../helpers/emulator.js";
import { activeRevisions, readRevision, rollOut } from "../helpers/revisions.js";
import { registerTaskDefinition, SEED_RECORD, SEED_SHAS, seedEachTest, webTaskDefinition } from "../helpers/seed.js";

const handle = useEmulator();
const clients = seedEachTest(handle);
const dir = mkdtempSync(join(tmpdir(), "ecs-release-adopt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BASE = ["--cluster", "prod", "--service", "web", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", SEED_SHAS[1], "--poll-interval", "10ms"];

function release(args: string[] = []): Promise<CliRun> {
  return runCli(["release", ...BASE, ...args], handle.env());
}

async function writesSince(mark: number): Promise<string[]> {
  return writeOperations((await handle.emulator.callLog()).slice(mark)).map((e) => e.operation);
}

/** web:2, written by hand (no release record) with a literal DJANGO_SETTINGS_MODULE, running. */
async function handWrittenRunning(): Promise<string> {
  const base = webTaskDefinition(SEED_SHAS[0]);
  const arn = await registerTaskDefinition(clients, {
    ...base,
    containerDefinitions: (base.containerDefinitions ?? []).map((c) => (c.name === "app" ? { ...c, environment: [{ name: "DJANGO_SETTINGS_MODULE", value: "platform.settings.prod" }] } : c)),
  });
  await rollOut(clients, "prod", "web", arn);
  return arn;
}

async function webRuns(): Promise<string> {
  const out = await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }));
  return out.services?.[0]?.taskDefinition?.split("/").pop() ?? "";
}

describe("the first release over a hand-written revision", () => {
  it("exits 2 listing the variable it would remove, with nothing written; the dry run shows the same and exits 0", async () => {
    await handWrittenRunning();
    const mark = (await handle.emulator.callLog()).length;
    const refused = await release();
    expect(refused.code, refused.output).toBe(2);
    expect(refused.stderr).toContain("web:2 was not registered by ecs-release, and releasing from it would remove DJANGO_SETTINGS_MODULE (not in SSM under /platform/prod): nothing was written");
    expect(refused.stderr).toContain("then release with --adopt");
    expect(await writesSince(mark)).toEqual([]);
    expect(await activeRevisions(clients, "web")).toEqual([1, 2]);

    const dry = await release(["--dry-run"]);
    expect(dry.code, dry.output).toBe(0);
    expect(dry.stderr).toContain("- DJANGO_SETTINGS_MODULE");
    expect(dry.stderr).toContain("web:2 was not registered by ecs-release: the release would remove DJANGO_SETTINGS_MODULE");
    expect(dry.stderr).toContain("needs --adopt");
  });

  it("keeps the variable with --env (adopting the revision with --adopt); the adopted family then releases without a flag", async () => {
    await handWrittenRunning();
    const kept = await release(["--env", "DJANGO_SETTINGS_MODULE=platform.settings.prod", "--adopt"]);
    expect(kept.code, kept.output).toBe(0);
    expect(kept.stderr).toContain("adopting web:2 (not registered by ecs-release; --adopt)");
    expect((await readRevision(clients, "web:3")).environment["DJANGO_SETTINGS_MODULE"]).toBe("platform.settings.prod");

    // Adopted: web:3 carries the record, so the next release needs no flag (and now removes nothing it did not list).
    const next = await release(["--sha", SEED_SHAS[2]]);
    expect(next.code, next.output).toBe(0);
    expect(next.stderr).not.toContain("adopting");
    expect(await webRuns()).toBe("web:4");
  });

  it("--adopt alone removes what the refusal listed, and says so", async () => {
    await handWrittenRunning();
    const adopted = await release(["--adopt"]);
    expect(adopted.code, adopted.output).toBe(0);
    expect(adopted.stderr).toContain("adopting web:2 (not registered by ecs-release; --adopt): removing DJANGO_SETTINGS_MODULE");
    expect((await readRevision(clients, "web:3")).environment["DJANGO_SETTINGS_MODULE"]).toBeUndefined();
  });

  it("the plan the approver saw covers it: the dry run's Markdown lists the adoption, the release with that plan needs no --adopt", async () => {
    await handWrittenRunning();
    const file = join(dir, "plan.json");
    expect((await release(["--dry-run", "--plan-file", file])).code).toBe(0);
    const markdown = readFileSync(join(dir, "plan.md"), "utf8");
    expect(markdown).toContain("## Revisions ecs-release did not register (approving adopts them)");
    expect(markdown).toContain("- web:2 was not registered by ecs-release: the release would remove DJANGO_SETTINGS_MODULE");
    // Positive control: the same release without the plan is refused.
    expect((await release()).code).toBe(2);
    const approved = await release(["--plan-file", file]);
    expect(approved.code, approved.output).toBe(0);
    expect(approved.stderr).toContain("adopting web:2 (not registered by ecs-release; as the approved plan showed)");
    expect(await webRuns()).toBe("web:3");
  });
});

describe("a template nobody slipped in", () => {
  /** web:2 registered outside ecs-release after web:1 (which runs): an extra sidecar, never deployed. */
  async function slipIn(): Promise<void> {
    const base = webTaskDefinition(SEED_SHAS[0]);
    await registerTaskDefinition(clients, { ...base, containerDefinitions: [...(base.containerDefinitions ?? []), { name: "miner", image: "docker.io/evil/miner:1", essential: false, memory: 64 }] });
  }

  it("exits 2 naming the revision and what runs, nothing written; --adopt or --template names it explicitly", async () => {
    await slipIn();
    const mark = (await handle.emulator.callLog()).length;
    const refused = await release();
    expect(refused.code, refused.output).toBe(2);
    expect(refused.stderr).toContain("web:2 was not registered by ecs-release and no service runs it (they run web:1): nothing was written");
    expect(refused.stderr).toContain("--template web=FILE");
    expect(await writesSince(mark)).toEqual([]);

    const template = join(dir, "web.json");
    writeFileSync(template, JSON.stringify(webTaskDefinition(SEED_SHAS[0])));
    const named = await release(["--template", `web=${template}`]);
    expect(named.code, named.output).toBe(0);
    expect((await readRevision(clients, "web:3")).tags["ecs-release:version"]).toBeDefined();
  });

  it("a newer revision that carries ecs-release's record (say, a failed release) is rendered from without a flag", async () => {
    const base = webTaskDefinition(SEED_SHAS[0]);
    await registerTaskDefinition(clients, { ...base, tags: SEED_RECORD });
    const run = await release();
    expect(run.code, run.output).toBe(0);
    expect(await activeRevisions(clients, "web")).toEqual([1, 2, 3]);
  });

  it("--adopt renders from it", async () => {
    await slipIn();
    const run = await release(["--adopt"]);
    expect(run.code, run.output).toBe(0);
    expect(run.stderr).toContain("adopting web:2 (not registered by ecs-release, runs nowhere; --adopt)");
  });
});
