/**
 * The orb generator: the orb and this project's CircleCI config as YAML text. It never imports the
 * CLI's runtime code; the orb embeds the built bundle.
 */
import { buildOrb, GENERATED_HEADER, toYaml } from "./build-orb.js";
import type { CliBundles } from "./cli-builds.js";
import type { Compressor } from "./embed.js";
import { buildProjectConfig } from "./project-config.js";

export { buildOrb, toYaml, GENERATED_HEADER } from "./build-orb.js";
export { buildProjectConfig } from "./project-config.js";

/** Where the generated files go, relative to the project root. */
export const ORB_PATH = "orb/orb.yml";
export const PROJECT_CONFIG_PATH = ".circleci/config.yml";

/**
 * The text of orb/orb.yml for the CLI builds. `compress` gives the same bytes as brotli at its best
 * quality (the default), e.g. from a cache by content (scripts/brotli-cache.ts).
 */
export function renderOrb(bundles: CliBundles, compress?: Compressor): string {
  return toYaml(buildOrb(bundles, compress), GENERATED_HEADER);
}

/** The text of .circleci/config.yml. */
export function renderProjectConfig(): string {
  return toYaml(buildProjectConfig(), GENERATED_HEADER);
}
