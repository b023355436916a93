import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

/** True while a process with this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("npm run demo", () => {
  it("tells the whole story with the real CLI, exits 0 and leaves nothing running", async () => {
    // The bundle is built by `npm test`; run the script itself (npm run demo would build again).
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts"], { env: { ...process.env, NO_COLOR: "1" } });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));

    expect(code, output).toBe(0);
    const chapters = [...output.matchAll(/^── (.*)$/gm)].map((m) => m[1]);
    expect(chapters).toHaveLength(6);
    expect(output.match(/→ exit \d, as expected/g)).toEqual(["→ exit 0, as expected", "→ exit 0, as expected", "→ exit 1, as expected", "→ exit 0, as expected", "→ exit 0, as expected", "→ exit 0, as expected"]);
    expect(output).toMatch(/the service is back on web:3/);
    // Commit C's failure shows what its containers said: the last lines of a stopped task's log.
    expect(output).toMatch(/web: task \w+: the last \d+ log lines of container app \(\/ecs\/web ecs\/app\/\w+\):/);
    expect(output).toContain("  | Traceback (most recent call last):");
    // The release pins commit C's image by digest (named when web:4 is registered): its containers logged that.
    const digestC = /registered web:4 \(app: \S+\/platform@(sha256:[0-9a-f]{64})\)/.exec(output)?.[1];
    expect(digestC).toBeDefined();
    expect(output).toContain(`its log ends: "RuntimeError: platform@${digestC} failed (exit code 1)"`);
    expect(output).toMatch(/deregistered web:4 \(failed\)/);
    expect(output).toMatch(/^\*\s+web:2\s+ACTIVE/m);
    // SecureString values seeded by the demo never appear.
    for (const secret of ["demo-smtp-password", "demo-payments-key", "demo-django-secret", "demo-database-password", "s3cr3t"]) expect(output).not.toContain(secret);
    expect(output).not.toContain("NodeVersionSupportWarning");

    const motoPid = Number(/moto pid (\d+)/.exec(output)?.[1]);
    expect(motoPid).toBeGreaterThan(0);
    for (let i = 0; i < 50 && alive(motoPid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alive(motoPid)).toBe(false);
  }, 120_000);
});
