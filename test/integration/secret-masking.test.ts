/**
 * Secrets (issue 7): every command, with --debug and --json, over SSM SecureStrings that hold marker
 * strings, in success and failure paths: no marker in any output. Commands that never read SSM
 * (status, history, rollback, prune, run-task) still read revisions whose environment has the
 * values inlined (--secure-strings environment): they must not print environments at all.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TagResourceCommand } from "@aws-sdk/client-ecs";
import { DeleteParametersCommand } from "@aws-sdk/client-ssm";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { TAG } from "../../src/core/tags.js";
import { runCli, type CliRun } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";
import { putParameters, SEED_SHAS, seedEachTest } from "../helpers/seed.js";

const handle = useEmulator();
const clients = seedEachTest(handle);
const dir = mkdtempSync(join(tmpdir(), "ecs-release-secrets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const [SHA_A, SHA_B, SHA_C] = SEED_SHAS;
/** Markers: plain, with JSON-escaped characters, with regex characters, and short-but-not-tiny. */
const MARKERS = ["MARKER-4b1d-db-password", 'MARKER-"quoted"\\back\nline', "MARKER.*+?(x)[y]{z}|$^", "MARKER-kms"];
// Explicitly --secure-strings environment: the revisions hold the values inline, the hardest case for
// masking (every command that reads a revision sees them). The default, secretsmanager, keeps only
// references there (its outputs are scanned in test/integration/secrets-manager.test.ts).
const BASE = ["--cluster", "prod", "--ssm-path", "/platform/prod", "--repository", "platform", "--secure-strings", "environment"];
const LOUD = ["--debug", "--json"];
/** Commands that wait take --poll-interval; the others refuse it as an unknown flag. */
const WAITING = new Set(["release", "rollback", "run-task"]);

beforeEach(async () => {
  await putParameters(clients, "/platform/prod", {
    "database/PASSWORD": { value: MARKERS[0]!, secure: true },
    "api/TOKEN": { value: MARKERS[1]!, secure: true },
    "api/REGEX": { value: MARKERS[2]!, secure: true },
    "kms/KEY": { value: MARKERS[3]!, secure: true },
  });
});

async function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const run = await runCli([...args, ...LOUD, ...(WAITING.has(args[0] ?? "") ? ["--poll-interval", "10ms"] : [])], { ...handle.env(), ...env });
  for (const marker of MARKERS) {
    expect(run.output, `a secret in the output of ${args.join(" ")}`).not.toContain(marker);
    // Also not the JSON-escaped form, nor any line of a multi-line value.
    expect(run.output).not.toContain(JSON.stringify(marker).slice(1, -1));
    for (const part of marker.split("\n")) if (part.length >= 8) expect(run.output).not.toContain(part);
  }
  return run;
}

async function released(sha: string): Promise<void> {
  const run = await cli(["release", ...BASE, "--service", "web", "--service", "worker", "--sha", sha]);
  expect(run.code, run.stderr).toBe(0);
}

describe("no SecureString value in any output", () => {
  // A short secret masked in place would show where it matched: "****s-release" gives "ec" away.
  it("a SecureString shorter than 8 characters: warned about by name, masked with the whole word around it", async () => {
    await putParameters(clients, "/platform/prod", { "short/PIN": { value: "ec", secure: true } });
    const run = await cli(["release", ...BASE, "--service", "web", "--sha", SHA_B, "--dry-run"]);
    expect(run.code, run.output).toBe(0);
    expect(run.stderr).toMatch(/\/platform\/prod\/short\/PIN is shorter than 8 characters/);
    expect(run.output).not.toMatch(/\S\*\*\*\*s-release|\*\*\*\*s-release/);
    // Positive control: the words that held it were there, and are gone whole.
    expect(run.output).not.toContain("ecs-release:");
    expect(run.output).toContain("****");
  });

  it("release: success, then a dry run whose diff changes secrets, then a re-release of an older SHA (drift)", async () => {
    await released(SHA_B);
    await putParameters(clients, "/platform/prod", { "database/PASSWORD": { value: `${MARKERS[0]!}-rotated`, secure: true } });
    const dry = await cli(["release", ...BASE, "--service", "web", "--sha", SHA_C, "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toContain("database_PASSWORD");
    await released(SHA_C);
    // Record C's release as later than B's push (ECR push times have whole seconds; a push in the
    // release's own second counts as a forward release), so the re-release of B really prints drift.
    await clients.ecs.send(new TagResourceCommand({ resourceArn: "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3", tags: [{ key: TAG.releasedAt, value: new Date(Date.now() + 3_600_000).toISOString() }] }));
    const back = await cli(["release", ...BASE, "--service", "web", "--sha", SHA_B]);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stderr).toContain(`re-releasing ${SHA_B.slice(0, 12)}, first released as web:2`);
    expect(back.stderr).toContain("~ database_PASSWORD (secret) changed");
  });

  it("release failure paths: circuit-breaker rollback (1), timeout (4), AWS call failing after retries (3), a limit broken after reading SSM (2)", async () => {
    await handle.emulator.addRule({ match: SHA_B, outcome: "fail", steps: 1 });
    expect((await cli(["release", ...BASE, "--service", "web", "--sha", SHA_B])).code).toBe(1);
    await handle.emulator.addRule({ match: SHA_C, outcome: "stuck" });
    expect((await cli(["release", ...BASE, "--service", "worker", "--sha", SHA_C, "--timeout", "50ms"])).code).toBe(4);
    // An AWS error that echoes its input (as validation errors of RegisterTaskDefinition can): the
    // value reaches the error line only through the SDK, and the redactor must still mask it.
    await handle.emulator.addFault({ operation: "RegisterTaskDefinition", error: "ServiceUnavailable", message: `containerDefinitions.0.environment: value ${MARKERS[0]!} rejected` });
    const echoed = await cli(["release", ...BASE, "--service", "web", "--sha", SHA_A, "--force"]);
    expect(echoed.code).toBe(3);
    expect(echoed.stderr).toContain("containerDefinitions.0.environment: value **** rejected");
    await handle.emulator.clearFaults();
    const big: Record<string, { value: string; secure: true }> = {};
    for (let i = 0; i < 17; i++) big[`big/S${i}`] = { value: `${MARKERS[0]!}${"x".repeat(4000)}`, secure: true };
    await putParameters(clients, "/platform/prod", big);
    expect((await cli(["release", ...BASE, "--service", "web", "--sha", SHA_A, "--force"])).code).toBe(2);
  });

  it("release --pre-deploy-command: a failing task (1)", async () => {
    await handle.emulator.addRule({ match: SHA_B, outcome: "complete", steps: 1, exitCode: 3 });
    expect((await cli(["release", ...BASE, "--service", "web", "--sha", SHA_B, "--pre-deploy-command", "bin/migrate"])).code).toBe(1);
  });

  it("a template file with a literal environment of the same name (dry-run diff)", async () => {
    const template = join(dir, "web.json");
    writeFileSync(template, JSON.stringify({ family: "web", networkMode: "awsvpc", requiresCompatibilities: ["FARGATE"], cpu: "256", memory: "512", containerDefinitions: [{ name: "app", image: "x", essential: true, environment: [{ name: "database_PASSWORD", value: "from-file" }] }] }));
    expect((await cli(["release", ...BASE, "--service", "web", "--sha", SHA_B, "--template", template, "--dry-run"])).code).toBe(0);
  });

  it("status, history, rollback, prune and run-task read revisions with the values inlined and print none", async () => {
    await released(SHA_B);
    await released(SHA_C);
    for (const [args, code] of [
      [["status", "--cluster", "prod", "--service", "web", "--service", "worker"], 0],
      [["history", "--cluster", "prod", "--service", "web"], 0],
      [["history", "--family", "worker"], 0],
      [["rollback", "--cluster", "prod", "--service", "web", "--dry-run"], 0],
      [["rollback", "--cluster", "prod", "--service", "web", "--to", "99"], 2],
      [["prune", "--family", "web", "--keep", "1", "--dry-run"], 0],
      [["run-task", "--cluster", "prod", "--task-definition", "web", "--like-service", "web", "--command", "bin/migrate"], 0],
    ] as const) {
      const run = await cli([...args]);
      expect(run.code, `${args.join(" ")}: ${run.stderr}`).toBe(code);
    }
    const rollback = await cli(["rollback", "--cluster", "prod", "--service", "web", "--service", "worker"]);
    expect(rollback.code, rollback.stderr).toBe(0);
  });

  it("a long `command` in a dry-run diff holding a secret is redacted before it is cut at 120 characters: no prefix of it (issue 14.2)", async () => {
    const template = join(dir, "long-command.json");
    // ["sh","-c"," is 12 characters: the secret starts at 108, so the cut at 119 would fall inside it.
    const command = ["sh", "-c", `${"x".repeat(95)} ${MARKERS[0]!} --then-more`];
    writeFileSync(template, JSON.stringify({ family: "web", networkMode: "awsvpc", requiresCompatibilities: ["FARGATE"], cpu: "256", memory: "512", containerDefinitions: [{ name: "app", image: "x", essential: true, command }] }));
    const run = await cli(["release", ...BASE, "--service", "web", "--sha", SHA_B, "--template", template, "--dry-run"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("~ command:");
    expect(run.output).not.toContain(MARKERS[0]!.slice(0, 11));
  });

  it("a multi-line secret echoed by a multi-line AWS error: masked whole, printed on one line (issue 14.2)", async () => {
    await handle.emulator.addFault({ operation: "RegisterTaskDefinition", error: "ServiceUnavailable", message: `environment rejected: ${MARKERS[1]!}\nrequest id 42` });
    const run = await cli(["release", ...BASE, "--service", "web", "--sha", SHA_B, "--force"]);
    expect(run.code).toBe(3);
    const errors = run.stderr.split("\n").filter((line) => / error: /.test(line));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("environment rejected: ****\\nrequest id 42");
    expect(run.output).not.toContain("MARKER-\"quoted");
  });
});

describe("a value that was a SecureString when the running revision was released (issue 14.1)", () => {
  it("demoted to a String, deleted, or shadowed by --env: masked in the dry run, the release, the re-release drift, status and history", async () => {
    await released(SHA_B); // web:2 and worker:2 record the four SecureString names
    await putParameters(clients, "/platform/prod", { "database/PASSWORD": "no-longer-secret" });
    await clients.ssm.send(new DeleteParametersCommand({ Names: ["/platform/prod/api/TOKEN", "/platform/prod/kms/KEY"] }));
    const shadow = ["--env", "kms_KEY=literal-now"];

    const dry = await cli(["release", ...BASE, "--service", "web", "--sha", SHA_C, "--dry-run", ...shadow]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toContain("~ database_PASSWORD: **** → no-longer-secret");
    expect(dry.stderr).toContain("~ kms_KEY: **** → literal-now");
    expect(dry.stderr).toContain("- api_TOKEN");
    const changes = (JSON.parse(dry.stdout) as { diff: Array<{ containers: Array<{ environment: Array<{ name: string; before?: string }> }> }> }).diff[0]!.containers.flatMap((c) => c.environment);
    expect(changes.find((c) => c.name === "database_PASSWORD")?.before).toBe("****");

    await released(SHA_C); // with the secret demoted: web:3 records only api_REGEX
    // C's release is later than B's push (see the first test): the re-release of B prints drift.
    await clients.ecs.send(new TagResourceCommand({ resourceArn: "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3", tags: [{ key: TAG.releasedAt, value: new Date(Date.now() + 3_600_000).toISOString() }] }));
    const back = await cli(["release", ...BASE, "--service", "web", "--sha", SHA_B, ...shadow]);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stderr).toContain(`re-releasing ${SHA_B.slice(0, 12)}, first released as web:2`);
    expect(back.stderr).toContain("~ database_PASSWORD: **** → no-longer-secret");

    for (const args of [
      ["status", "--cluster", "prod", "--service", "web", "--service", "worker"],
      ["history", "--cluster", "prod", "--service", "web"],
      ["history", "--family", "worker"],
    ]) {
      const run = await cli(args);
      expect(run.code, `${args.join(" ")}: ${run.stderr}`).toBe(0);
    }
  });
});
