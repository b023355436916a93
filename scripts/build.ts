// `npm run build`: bundles the CLI into one dependency-free file, dist/ecs-release.cjs.
import { chmodSync } from "node:fs";
import { build } from "esbuild";

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
