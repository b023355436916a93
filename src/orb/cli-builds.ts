/**
 * The builds of the ecs-release CLI that travel inside the orb. `full` (dist/ecs-release.cjs, every
 * command) is what the `install` command gives users' own jobs by default; each orb job installs a
 * build with only its own CLI command, so the job adds at most CONFIG_BUDGET_BYTES to the compiled
 * config (see docs/orb.md, "Config size budget").
 */

/** The CLI builds the orb carries. */
export const CLI_BUILDS = ["full", "push", "release", "rollback", "continue"] as const;

/** One CLI build. */
export type CliBuild = (typeof CLI_BUILDS)[number];

/** The CLI commands of each job build (`full` has them all). */
export const CLI_BUILD_COMMANDS: Readonly<Record<Exclude<CliBuild, "full">, readonly string[]>> = {
  push: ["push"],
  release: ["release"],
  rollback: ["rollback"],
  continue: ["continue"],
};

/** Where `npm run build` writes a build, relative to the project root. */
export function cliBuildPath(build: CliBuild): string {
  return build === "full" ? "dist/ecs-release.cjs" : `dist/orb/ecs-release-${build}.cjs`;
}

/** The bytes (or text) of every build, as the orb generator embeds them. */
export type CliBundles = Readonly<Record<CliBuild, string | Uint8Array>>;

/**
 * The most one CLI job of the orb may add to a compiled config: 200 KiB. CircleCI refuses a compiled
 * config over 8 MB (https://support.circleci.com/hc/en-us/articles/360045043634), so a pipeline holds at
 * least JOBS_PER_PIPELINE such jobs (39 × 200 KiB = 7,987,200 bytes, under 8,000,000).
 */
export const CONFIG_BUDGET_BYTES = 200 * 1024;

/** How many of the largest CLI jobs one compiled config holds within CircleCI's limit. */
export const JOBS_PER_PIPELINE = 39;
