/**
 * This project's own `.circleci/config.yml`, generated with the CircleCI Config SDK like the orb:
 * lint (the orb's embedded scripts), type check, tests (with moto, podman and a local registry), the orb's freshness, and
 * publishing the orb (a dev version from every branch, the semantic version from a `vX.Y.Z` tag) and
 * attaching the CLI tarball to the tag's GitHub release.
 */
import { ORB_NAME, PUBLISH_CONTEXT } from "./meta.js";
import { CircleCI } from "./sdk.js";
import type { YamlMap } from "./build-orb.js";

type Run = InstanceType<typeof CircleCI.commands.Run>;

const NODE = "cimg/node:22.14";
/** The VM image for the tests (podman needs a VM). */
const UBUNTU = "ubuntu-2404:current";
/** The image that validates and publishes the orb (with the circleci CLI installed in the job). */
const BASE = "cimg/base:current";
/**
 * The circleci CLI the publishing jobs install: one release, pinned by version and by the SHA-256 of its
 * linux_amd64 archive (from the release's checksums file), checked before anything is unpacked — never
 * a moving install script piped to a shell. To upgrade: take the new version's line for
 * circleci-cli_<version>_linux_amd64.tar.gz from circleci-cli_<version>_checksums.txt on
 * https://github.com/CircleCI-Public/circleci-cli/releases.
 */
export const CIRCLECI_CLI = {
  version: "0.1.33826",
  sha256: "af1eed3e94b05226a48a18ed058cafb5759b6e952936901c3419b821fdf83b10",
} as const;

/** The step command that downloads, checks and installs a circleci CLI release into ~/bin. */
export function installCircleciCli(release: { version: string; sha256: string }, base = "https://github.com/CircleCI-Public/circleci-cli/releases/download"): string {
  const archive = `circleci-cli_${release.version}_linux_amd64`;
  return [
    `curl -fsSL -o /tmp/${archive}.tar.gz ${base}/v${release.version}/${archive}.tar.gz`,
    `echo "${release.sha256}  /tmp/${archive}.tar.gz" | sha256sum -c -`,
    `mkdir -p "$HOME/bin"`,
    `tar -xzf /tmp/${archive}.tar.gz -C "$HOME/bin" --strip-components=1 ${archive}/circleci`,
    `echo 'export PATH="$HOME/bin:$PATH"' >> "$BASH_ENV"`,
    `"$HOME/bin/circleci" version`,
  ].join(" && ");
}

/**
 * CircleCI's published JSON schema for config and orb YAML (schema.json of CircleCI-Public/circleci-yaml-language-server),
 * pinned by commit and checked by SHA-256 before the tests read it (test/orb/schema.test.ts, through CIRCLECI_CONFIG_SCHEMA).
 */
export const CONFIG_SCHEMA = {
  url: "https://raw.githubusercontent.com/CircleCI-Public/circleci-yaml-language-server/c9a13f55002be4d417369b2dfce7f9da1ea7e517/schema.json",
  sha256: "943887ba97ed0047f4170e83d3e5bf045ae12d824f6da56ca50c2224a7fbb458",
  variable: "CIRCLECI_CONFIG_SCHEMA",
  path: "/tmp/circleci-config-schema.json",
} as const;
const TAG_PATTERN = "/^v[0-9]+\\.[0-9]+\\.[0-9]+$/";

function run(name: string, command: string): Run {
  return new CircleCI.commands.Run({ name, command });
}

const npmCi = run("Install dependencies", "npm ci --no-audit --no-fund");

/**
 * Attaches the CLI tarball (`npm pack`) to the GitHub release of the tag, creating the release when
 * there is none (GitHub's REST API: https://docs.github.com/en/rest/releases/releases and
 * https://docs.github.com/en/rest/releases/assets#upload-a-release-asset), with GITHUB_TOKEN from the
 * publishing context (a token that may write the repository's contents); without one, the tarball
 * stays a build artifact of the tag's pipeline.
 */
const ATTACH_TARBALL = [
  "set -euo pipefail",
  "mkdir -p pack && tarball=$(npm pack --silent --pack-destination pack | tail -n 1)",
  'echo "packed pack/$tarball"',
  'if [ -z "${GITHUB_TOKEN:-}" ]; then echo "GITHUB_TOKEN is not set: the tarball stays an artifact of this job"; exit 0; fi',
  'api="https://api.github.com/repos/$CIRCLE_PROJECT_USERNAME/$CIRCLE_PROJECT_REPONAME"',
  'auth=(-H "Authorization: Bearer $GITHUB_TOKEN" -H "Accept: application/vnd.github+json")',
  'releaseId() { node -pe \'JSON.parse(require("fs").readFileSync(0, "utf8")).id\'; }',
  'id=$(curl -fsS "${auth[@]}" "$api/releases/tags/$CIRCLE_TAG" | releaseId) || id=$(curl -fsS "${auth[@]}" -X POST "$api/releases" -d "{\\"tag_name\\":\\"$CIRCLE_TAG\\"}" | releaseId)',
  'curl -fsS "${auth[@]}" -H "Content-Type: application/gzip" --data-binary "@pack/$tarball" "https://uploads.github.com/repos/$CIRCLE_PROJECT_USERNAME/$CIRCLE_PROJECT_REPONAME/releases/$id/assets?name=$tarball" > /dev/null',
  'echo "attached $tarball to the release $CIRCLE_TAG"',
].join("\n");

/** The project config as a plain object. */
export function buildProjectConfig(): YamlMap {
  const node = (resourceClass: "small" | "medium" | "large") => new CircleCI.executors.DockerExecutor(NODE, resourceClass);
  const cli = new CircleCI.executors.DockerExecutor(BASE, "small");

  const lint = new CircleCI.Job("lint", node("small"), [
    new CircleCI.commands.Checkout(),
    run("Install shellcheck", "sudo apt-get update -qq && sudo apt-get install -y -qq --no-install-recommends shellcheck"),
    run("Check the orb's embedded scripts", "shellcheck --shell=bash src/orb/scripts/*.sh && node --check src/orb/scripts/unpack-cli.js"),
  ]);

  const typecheck = new CircleCI.Job("typecheck", node("medium"), [new CircleCI.commands.Checkout(), npmCi, run("Type-check", "npm run typecheck")]);

  // A VM, not a container: rootless podman needs user namespaces, which an unprivileged Docker
  // executor container does not grant. The Ubuntu machine image brings nvm for Node.js 22.
  const vm = new CircleCI.executors.MachineExecutor("large", UBUNTU);
  const test = new CircleCI.Job("test", vm, [
    new CircleCI.commands.Checkout(),
    run("Use Node.js 22", "nvm install 22 && nvm alias default 22 && node --version"),
    run("Install podman, docker-registry and Python", "sudo apt-get update -qq && sudo apt-get install -y -qq --no-install-recommends podman docker-registry python3-venv"),
    run("Install moto", 'python3 -m venv ~/moto && ~/moto/bin/pip install --quiet "moto[server]" && echo "export ECS_RELEASE_EMULATOR_PYTHON=$HOME/moto/bin/python" >> "$BASH_ENV"'),
    run(
      "Download CircleCI's config schema (pinned by commit and SHA-256)",
      `curl -fsSL -o ${CONFIG_SCHEMA.path} ${CONFIG_SCHEMA.url} && echo "${CONFIG_SCHEMA.sha256}  ${CONFIG_SCHEMA.path}" | sha256sum -c - && echo "export ${CONFIG_SCHEMA.variable}=${CONFIG_SCHEMA.path}" >> "$BASH_ENV"`,
    ),
    npmCi,
    run("Run the tests (bundle, type check, unit, integration against the emulator, orb)", "mkdir -p test-results && npm test -- --reporter=default --reporter=junit --outputFile.junit=test-results/junit.xml"),
    new CircleCI.commands.StoreTestResults({ path: "test-results" }),
  ]);

  const orbFresh = new CircleCI.Job("check_orb", node("medium"), [
    new CircleCI.commands.Checkout(),
    npmCi,
    run("Generate the orb and this config", "npm run build"),
    run("Fail when the committed orb or config is stale", "git diff --exit-code -- orb/ .circleci/config.yml"),
  ]);

  const publishDev = new CircleCI.Job("publish_dev_orb", cli, [
    new CircleCI.commands.Checkout(),
    run(`Install the circleci CLI ${CIRCLECI_CLI.version} (checked by SHA-256)`, installCircleciCli(CIRCLECI_CLI)),
    run("Validate the orb", "circleci orb validate orb/orb.yml"),
    run("Publish a dev version named for the branch", `circleci orb publish orb/orb.yml "${ORB_NAME}@dev:$(printf '%s' "$CIRCLE_BRANCH" | tr -c 'A-Za-z0-9_.-' '-')"`),
  ]);

  const publishRelease = new CircleCI.Job("publish_orb", cli, [
    new CircleCI.commands.Checkout(),
    run(`Install the circleci CLI ${CIRCLECI_CLI.version} (checked by SHA-256)`, installCircleciCli(CIRCLECI_CLI)),
    run("Validate the orb", "circleci orb validate orb/orb.yml"),
    run("Publish the version of the tag", `circleci orb publish orb/orb.yml "${ORB_NAME}@\${CIRCLE_TAG#v}"`),
  ]);

  // The installable CLI (npm install -g ecs-release-X.Y.Z.tgz): `npm ci` runs prepare, which builds dist/.
  const attachCli = new CircleCI.Job("attach_cli_tarball", node("small"), [
    new CircleCI.commands.Checkout(),
    npmCi,
    run("Pack the CLI and attach it to the tag's GitHub release", ATTACH_TARBALL),
    new CircleCI.commands.StoreArtifacts({ path: "pack" }),
  ]);

  const config = new CircleCI.Config();
  for (const job of [lint, typecheck, test, orbFresh, publishDev, publishRelease, attachCli]) config.addJob(job);
  const generated = JSON.parse(JSON.stringify(config.generate())) as YamlMap;

  // Workflows as plain YAML: tag filters and contexts read more plainly than through the SDK.
  const onTags = { tags: { only: TAG_PATTERN } };
  const checks = ["lint", "typecheck", "test", "check_orb"];
  return {
    version: 2.1,
    jobs: generated["jobs"],
    workflows: {
      main: {
        jobs: [
          ...checks.map((name) => ({ [name]: { filters: onTags } })),
          // Dev versions from the project's own branches, never from a forked pull request's (CircleCI names
          // their branch pull/<number>: https://circleci.com/docs/oss/#build-pull-requests-from-forked-repositories);
          // the publishing context is restricted to the publishers' security group.
          { publish_dev_orb: { requires: checks, context: PUBLISH_CONTEXT, filters: { branches: { ignore: "/pull\\/[0-9]+/" }, tags: { ignore: "/.*/" } } } },
          { publish_orb: { requires: checks, context: PUBLISH_CONTEXT, filters: { ...onTags, branches: { ignore: "/.*/" } } } },
          { attach_cli_tarball: { requires: checks, context: PUBLISH_CONTEXT, filters: { ...onTags, branches: { ignore: "/.*/" } } } },
        ],
      },
    },
  };
}
