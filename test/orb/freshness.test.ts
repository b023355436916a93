/**
 * The committed orb and project config are what `npm run build` makes of the current sources: the
 * files on disk match a fresh generation from the built bundle, and match what is committed.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CLI_BUILDS, cliBuildPath, type CliBundles } from "../../src/orb/cli-builds.js";
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
  it("orb/orb.yml is what the generator makes from the CLI builds in dist/ (run npm run build)", () => {
    const bundles = Object.fromEntries(
      CLI_BUILDS.map((build) => {
        const path = `${ROOT}${cliBuildPath(build)}`;
        expect(existsSync(path), `${cliBuildPath(build)} is missing: run npm run build`).toBe(true);
        return [build, readFileSync(path)];
      }),
    ) as unknown as CliBundles;
    const fresh = renderOrb(bundles);
    expect(readFileSync(ORB_FILE, "utf8") === fresh, "orb/orb.yml is stale: run npm run build").toBe(true);
  });

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
    const all = (text: string): CliBundles => ({ full: text, push: text, release: text, rollback: text });
    expect(renderOrb(all(bundle))).toBe(renderOrb(all(bundle)));
    for (const build of CLI_BUILDS) expect(renderOrb({ ...all(bundle), [build]: `${bundle}// changed\n` }), build).not.toBe(renderOrb(all(bundle)));
  });
});
