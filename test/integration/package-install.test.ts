/**
 * The CLI installs anywhere: `npm pack` makes a tarball that `npm install -g` turns into a working
 * `ecs-release`, and a checkout without dist/ (what npm clones for `npm install -g git+https://…`)
 * builds it in `prepare` (https://docs.npmjs.com/cli/using-npm/scripts#life-cycle-scripts: prepare
 * runs before `npm pack` and when installing a git dependency). The pack runs in a copy of the sources
 * without dist/, its node_modules linked, so nothing of this checkout's dist/ is used or touched.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ecs-release-pack-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function npm(args: string[], cwd: string): string {
  return execFileSync("npm", args, { cwd, encoding: "utf8", env: { PATH: process.env["PATH"], HOME: dir, npm_config_cache: join(dir, "npm-cache"), npm_config_update_notifier: "false" } });
}

describe("npm pack, then npm install -g", () => {
  it("a checkout without dist/ packs (prepare builds the CLI) into a tarball that installs as a working ecs-release", () => {
    const source = join(dir, "source");
    for (const path of ["package.json", "package-lock.json", "tsconfig.json", "src", "scripts", "orb"]) cpSync(join(ROOT, path), join(source, path), { recursive: true });
    symlinkSync(join(ROOT, "node_modules"), join(source, "node_modules"));
    expect(existsSync(join(source, "dist"))).toBe(false);

    const output = npm(["pack", "--json", "--pack-destination", dir], source);
    // (prepare's own lines come first on stdout; the JSON document is the rest)
    const packed = JSON.parse(output.slice(output.search(/^\[/m))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const tarball = join(dir, packed[0]?.filename ?? "");
    expect(output).toContain("built dist/ecs-release.cjs");
    expect(packed[0]?.files.map((f) => f.path).sort()).toEqual(["dist/ecs-release.cjs", "orb/orb.yml", "package.json"]);

    const prefix = join(dir, "prefix");
    npm(["install", "--global", "--prefix", prefix, "--offline", "--no-audit", "--no-fund", tarball], dir);
    const version = execFileSync(join(prefix, "bin", "ecs-release"), ["--version"], { encoding: "utf8" }).trim();
    expect(version).toContain(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string);
  }, 180_000);
});
