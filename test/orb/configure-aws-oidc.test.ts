/**
 * The orb's configure_aws_oidc script (src/orb/scripts/configure-aws-oidc.sh) writes the job's OIDC
 * token where the AWS SDK reads it (AWS_WEB_IDENTITY_TOKEN_FILE). The token is a credential: its
 * directory is created under umask 077 (never readable by others, even for a moment) and a link
 * planted where the token goes is replaced, never followed, so the token cannot be written through it
 * into a place someone else reads.
 */
import { spawnSync } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const SCRIPT = join(import.meta.dirname, "../../src/orb/scripts/configure-aws-oidc.sh");
const TOKEN = "header.payload.signature";
let home: string;

afterEach(() => rmSync(home, { recursive: true, force: true }));

function run(umask = "0022"): { code: number | null; stderr: string } {
  const bashEnv = join(home, "bash-env");
  // The job's shell has the default umask; the script must tighten it itself before creating anything.
  const result = spawnSync("bash", ["-c", `umask ${umask}; exec bash "$0"`, SCRIPT], {
    env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: home, BASH_ENV: bashEnv, CIRCLE_OIDC_TOKEN_V2: TOKEN, AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/deploy" },
    encoding: "utf8",
  });
  return { code: result.status, stderr: result.stderr };
}

describe("configure_aws_oidc: the token file", () => {
  it("creates the directory 700 and the token 600, whatever the job's umask", () => {
    home = mkdtempSync(join(tmpdir(), "oidc-home-"));
    expect(run().code).toBe(0);
    expect(statSync(join(home, ".ecs-release")).mode & 0o777).toBe(0o700);
    expect(statSync(join(home, ".ecs-release", "web-identity-token")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(home, ".ecs-release", "web-identity-token"), "utf8")).toBe(TOKEN);
    expect(readFileSync(join(home, "bash-env"), "utf8")).toContain("AWS_WEB_IDENTITY_TOKEN_FILE=");
  });

  it("replaces a link planted where the token goes instead of writing through it", () => {
    home = mkdtempSync(join(tmpdir(), "oidc-home-"));
    const elsewhere = join(home, "world-readable");
    writeFileSync(elsewhere, "untouched", { mode: 0o644 });
    mkdirSync(join(home, ".ecs-release"), { mode: 0o700 });
    symlinkSync(elsewhere, join(home, ".ecs-release", "web-identity-token"));
    expect(run().code).toBe(0);
    expect(readFileSync(elsewhere, "utf8")).toBe("untouched");
    expect(lstatSync(join(home, ".ecs-release", "web-identity-token")).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(home, ".ecs-release", "web-identity-token"), "utf8")).toBe(TOKEN);
  });

  it("refuses a directory that is a link (exit 2), writing no token", () => {
    home = mkdtempSync(join(tmpdir(), "oidc-home-"));
    const elsewhere = mkdtempSync(join(tmpdir(), "oidc-elsewhere-"));
    symlinkSync(elsewhere, join(home, ".ecs-release"));
    const result = run();
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\.ecs-release is a symbolic link/);
    expect(() => statSync(join(elsewhere, "web-identity-token"))).toThrow();
    rmSync(elsewhere, { recursive: true, force: true });
  });
});
