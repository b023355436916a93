// `npm run build`: bundles the CLI into one dependency-free file, dist/ecs-release.cjs, then
// generates the orb that embeds it (orb/orb.yml) and this project's .circleci/config.yml.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { build } from "esbuild";
import { ORB_PATH, PROJECT_CONFIG_PATH, renderOrb, renderProjectConfig } from "../src/orb/index.js";

/** Where the bundle goes; the orb embeds this file. */
export const BUNDLE_PATH = "dist/ecs-release.cjs";

await build({
  entryPoints: ["src/cli/bin.ts"],
  outfile: BUNDLE_PATH,
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  minify: true,
  legalComments: "none",
  banner: { js: "#!/usr/bin/env node" },
  logLevel: "warning",
});
chmodSync(BUNDLE_PATH, 0o755);
console.log(`built ${BUNDLE_PATH}`);

for (const [path, text] of [
  [ORB_PATH, renderOrb(readFileSync(BUNDLE_PATH))],
  [PROJECT_CONFIG_PATH, renderProjectConfig()],
] as const) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  console.log(`wrote ${path} (${Math.round(text.length / 1024)} KiB)`);
}
