/**
 * --json prints one JSON document on stdout, also when a SecureString value is short or looks like
 * JSON syntax (`1`, `true`, `null`): secrets are masked inside string values, never across the
 * document's numbers, literals or punctuation.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { awsClients, useEmulator } from "../helpers/emulator.js";
import { putParameters, SEED_SHAS, seedPlatform } from "../helpers/seed.js";

const handle = useEmulator();
const [, SHA_B] = SEED_SHAS;

beforeEach(async () => {
  await handle.emulator.reset();
  const clients = awsClients(handle.emulator);
  await seedPlatform(clients);
  await putParameters(clients, "/platform/prod", { "feature/ON": { value: "true", secure: true }, "db/PORT": { value: "1", secure: true } });
});

describe("--json with short SecureString values", () => {
  it("release --dry-run and a failing release print a parseable document that holds no secret value", async () => {
    const base = ["release", "--cluster", "prod", "--service", "web", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", SHA_B!, "--json"];
    const dry = await runCli([...base, "--dry-run"], handle.env());
    expect(dry.code, dry.stderr).toBe(0);
    const document = JSON.parse(dry.stdout) as { dryRun: unknown; environment: { secrets: string[] } };
    expect(document.dryRun).toBe(true);
    expect(document.environment.secrets).toEqual(expect.arrayContaining(["db_PORT", "feature_ON"]));

    const bad = await runCli([...base, "--container", "nope"], handle.env());
    expect(bad.code).toBe(2);
    const error = JSON.parse(bad.stdout) as { error: { exitCode: unknown } };
    expect(error.error.exitCode).toBe(2);
  });
});
