/**
 * Names and addresses of the orb, defined once. To publish under your own namespace, no source edit:
 * `ORB_NAMESPACE=acme npm run build` generates the orb, its examples and this project's publishing jobs
 * for `acme/ecs-release` (`ORB_SOURCE_URL` sets the registry page's source link). These are build-time
 * settings of the generator (scripts/build.ts), never read by the CLI. docs/orb.md, "Publish it".
 */

/** The default namespace: a placeholder until someone claims it. */
export const DEFAULT_ORB_NAMESPACE = "ecs-release";

/**
 * `ORB_NAMESPACE` checked: a CircleCI namespace is a VCS organization-like name (letters, digits,
 * `-` and `_`; https://circleci.com/docs/orbs/author/orb-concepts/#namespaces); anything else stops the build.
 */
export function orbNamespace(value: string | undefined): string {
  if (value === undefined || value === "") return DEFAULT_ORB_NAMESPACE;
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/.test(value)) throw new Error(`ORB_NAMESPACE "${value}" is not a CircleCI namespace (letters, digits, - and _)`);
  return value;
}

/** Build-time settings (undefined outside Node, where the defaults apply). */
const buildEnv: Readonly<Record<string, string | undefined>> = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};

/** The registry namespace the orb is published in (claimed once with `circleci namespace create`). */
export const ORB_NAMESPACE = orbNamespace(buildEnv["ORB_NAMESPACE"]);

/** The orb as users import it (`orbs: { ecs-release: ORB_REF }`). */
export const ORB_NAME = `${ORB_NAMESPACE}/ecs-release`;

/** The version range the examples import. */
export const ORB_REF = `${ORB_NAME}@0.1`;

/** The CircleCI context of the project's publishing jobs: CIRCLECI_CLI_TOKEN, a token allowed to publish the orb. */
export const PUBLISH_CONTEXT = "orb-publishing";

/** The security group (GitHub team) the publishing context is restricted to: only its members' pipelines publish. */
export const PUBLISH_GROUP = "orb-publishers";

/** Where the orb's source lives (`ORB_SOURCE_URL` for a fork). */
export const SOURCE_URL = buildEnv["ORB_SOURCE_URL"] || "https://github.com/ecs-release/ecs-release";


/** The orb's documentation. */
export const HOME_URL = `${SOURCE_URL}#use-the-orb`;

/** The orb's description in the registry. */
export const ORB_DESCRIPTION =
  "Release container images to AWS ECS: push the commit's image to ECR, register a forward task definition revision " +
  "(that image plus every SSM parameter under an environment's path as its environment), roll it out and watch each " +
  "service to the real end (circuit-breaker rollbacks included), and roll back to a revision recorded as stable. " +
  "AWS credentials from CircleCI's OIDC token; the CLI travels inside the orb, so nothing is downloaded at job time. " +
  "Runs on Linux executors (Docker or machine, x86 or Arm): the embedded CLI travels in environment variables larger " +
  "than Windows allows a process (32,767 characters in all).";

/** The image every job of the orb runs on. */
export const NODE_IMAGE = "cimg/node";
