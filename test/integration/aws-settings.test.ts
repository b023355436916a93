/**
 * Region and retry settings as the AWS SDKs resolve them: a region only in the shared config file's
 * profile works; AWS_MAX_ATTEMPTS is honoured (a fault on every call is tried exactly that often).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";
import { seedEachTest } from "../helpers/seed.js";

const handle = useEmulator();
seedEachTest(handle);

function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "aws-config-")), "config");
  writeFileSync(file, text);
  return file;
}

/** The emulator's environment without AWS_REGION. */
function withoutRegion(): Record<string, string> {
  const { AWS_REGION: _region, ...env } = handle.env();
  return env;
}

describe("AWS settings as the SDKs resolve them", () => {
  it("a region only in the shared config file's default profile works; without it, exit 2 naming the ways to set one", async () => {
    const none = await runCli(["status", "--cluster", "prod", "--service", "web"], withoutRegion());
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no AWS region: pass --region, set AWS_REGION, or set region in the profile/);

    const file = configFile("[default]\nregion = us-east-1\n\n[profile other]\nregion = eu-west-1\n");
    const run = await runCli(["status", "--cluster", "prod", "--service", "web"], { ...withoutRegion(), AWS_CONFIG_FILE: file });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/web/);
  });

  it("AWS_PROFILE with its region (and keys) only in the shared config file: the built CLI, as a user runs it", async () => {
    const file = configFile("[default]\nregion = eu-west-1\naws_access_key_id = testing\naws_secret_access_key = testing\n\n[profile ci]\nregion = us-east-1\naws_access_key_id = testing\naws_secret_access_key = testing\n");
    const env = { AWS_ENDPOINT_URL: handle.env()["AWS_ENDPOINT_URL"], AWS_EC2_METADATA_DISABLED: "true", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/ecs-release-test/credentials", AWS_CONFIG_FILE: file };
    const run = await runCli(["status", "--cluster", "prod", "--service", "web", "--json"], { ...env, AWS_PROFILE: "ci" }, { bundle: true });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/"web"/);
    // Positive control: the default profile's region (eu-west-1) has no cluster prod in the emulator.
    const other = await runCli(["status", "--cluster", "prod", "--service", "web"], env, { bundle: true });
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/cluster "prod" not found/i);
  });

  it("AWS_MAX_ATTEMPTS is honoured; a bad AWS_RETRY_MODE is exit 2", async () => {
    await handle.emulator.addFault({ operation: "DescribeServices", error: "ServiceUnavailable" });
    const before = (await handle.emulator.callLog()).length;
    const run = await runCli(["status", "--cluster", "prod", "--service", "web"], { ...handle.env(), AWS_MAX_ATTEMPTS: "2", AWS_RETRY_MODE: "standard" });
    expect(run.code).not.toBe(0);
    const calls = (await handle.emulator.callLog()).slice(before).filter((c) => c.operation === "DescribeServices");
    expect(calls).toHaveLength(2);
    await handle.emulator.clearFaults();

    const bad = await runCli(["status", "--cluster", "prod", "--service", "web"], { ...handle.env(), AWS_RETRY_MODE: "eager" });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/AWS_RETRY_MODE must be standard, adaptive or legacy \(got "eager"\)/);
  });
});
