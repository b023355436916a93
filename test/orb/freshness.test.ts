/**
 * The committed orb and project config are what `npm run build` makes of the current sources: the
 * files on disk match a fresh generation from the built bundle, and match what is committed.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CLI_BUILDS, type CliBundles } from "../../src/orb/cli-builds.js";
import { renderOrb, renderProjectConfig } from "../../src/orb/index.js";
import { ORB_FILE, PROJECT_CONFIG_FILE, ROOT } from "./orb-files.js";

function committed(path: string): string | undefined {
  try {
    return execFileSync("git", ["show", `HEAD:${path}`], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return undefined;
  }
}

const inGit = committed("package.json") !== undefined;

describe("generated files are fresh", () => {
  it("orb/orb.yml and .circleci/config.yml are what `npm run build` makes of the sources (its --check mode: writes nothing; rebuilds the bundles in memory unless dist/build-stamp.json proves dist/ is what the sources build)", () => {
    const result = spawnSync("npx", ["tsx", "scripts/build.ts", "--check"], { cwd: ROOT, encoding: "utf8" });
    expect(result.stdout).toContain("orb/orb.yml: fresh");
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
  }, 240_000);

  it(".circleci/config.yml is what the generator makes (run npm run build)", () => {
    expect(readFileSync(PROJECT_CONFIG_FILE, "utf8")).toBe(renderProjectConfig());
  });

  it.skipIf(!inGit)("the committed orb/orb.yml and .circleci/config.yml are the generated ones (commit them after npm run build)", () => {
    const orb = committed("orb/orb.yml");
    expect(orb !== undefined && orb === readFileSync(ORB_FILE, "utf8"), "orb/orb.yml differs from the committed one: commit it").toBe(true);
    expect(committed(".circleci/config.yml")).toBe(readFileSync(PROJECT_CONFIG_FILE, "utf8"));
  });

  it("the generation is deterministic and sensitive to the bundle", () => {
    const bundle = "#!/usr/bin/env node\nconsole.log('0.0.0');\n";
    const all = (text: string): CliBundles => ({ full: text, push: text, release: text, rollback: text, continue: text });
    expect(renderOrb(all(bundle))).toBe(renderOrb(all(bundle)));
    for (const build of CLI_BUILDS) expect(renderOrb({ ...all(bundle), [build]: `${bundle}// changed\n` }), build).not.toBe(renderOrb(all(bundle)));
  });
});
