// `npm run build`: bundles the CLI into one dependency-free file, dist/ecs-release.cjs, and one smaller
// file per orb job (dist/orb/ecs-release-<job>.cjs, only that job's CLI command), then generates the
// orb that embeds them (orb/orb.yml) and this project's .circleci/config.yml.
// `--cli`: the full CLI bundle only (npm's `prepare`: installing from git or `npm pack` builds the
// installable `ecs-release`; the orb and the build stamp are left as they are).
// `--check`: builds the same in memory, writes nothing, and exits 1 when orb/orb.yml or
// .circleci/config.yml differ from what it makes (the orb tests run it on a fresh clone).
// Without `--check`, the CLI builds in dist/ are kept when their stamp (scripts/build-stamp.ts) shows
// that nothing they were built from has changed, as under `--check`: the same inputs through the same
// esbuild make the same bytes, and `npm test`'s build then costs no esbuild run (docs/performance.md,
// "Builds and type check by content"). `--force` builds them anew whatever the stamp says.
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { build, transform, version as esbuildVersion, type BuildOptions, type Metafile, type OutputFile, type Plugin } from "esbuild";
import { cachedBrotli } from "./brotli-cache.js";
import { compactErrorClasses } from "./compact-errors.js";
import { BUILD_SETTINGS, changedSince, makeStamp, readStamp, sourceDirectories, STAMP_PATH, staleness } from "./build-stamp.js";
import { CLI_BUILD_COMMANDS, CLI_BUILDS, cliBuildPath, type CliBuild, type CliBundles } from "../src/orb/cli-builds.js";
import { ORB_PATH, PROJECT_CONFIG_PATH, renderOrb, renderProjectConfig } from "../src/orb/index.js";

/** Where the full bundle goes (`npm i -g`, the tests, the orb's `install` by default). */
export const BUNDLE_PATH = cliBuildPath("full");

/**
 * Every build is esbuild's code splitting (ESM chunks: the CLI's entry, one chunk per `await import()`
 * of a command's modules, and the chunks they share), then made one CommonJS file by oneFile(): the
 * entry runs at start, every other chunk waits as a string until the first `require` of it. So a
 * command's modules (the AWS SDK, yaml) are neither parsed nor evaluated before the command runs —
 * `--version`, `--help` and a bad flag cost little more than Node's own start (docs/performance.md,
 * "Cold start") — and, unlike a CommonJS bundle's lazily-initialised modules, the chunks are
 * tree-shaken as one ESM graph.
 */
const COMMON: BuildOptions = {
  entryPoints: { "ecs-release": "src/cli/bin.ts" },
  bundle: true,
  platform: "node",
  format: "esm",
  splitting: true,
  // Not written: oneFile() reads the chunks from memory. The names are the chunks' names in stack traces.
  outdir: "dist/chunks",
  chunkNames: "[name]-[hash]",
  write: false,
  metafile: true,
  target: "node20",
  minify: true,
  legalComments: "none",
  logLevel: "warning",
  // yaml's ESM build (its `browser` export, the same code as its CommonJS `dist/`): tree-shaken, 5 KiB
  // smaller in each build that parses templates. Differences, none reached here: yaml's LOG_TOKENS
  // debug print, warnings by console.warn (templates are parsed with logLevel "error") and a YAML 1.1
  // `!!binary` value as a Uint8Array rather than a Buffer.
  alias: { yaml: resolve("node_modules/yaml/browser/index.js") },
};

/**
 * The chunks of one build as one CommonJS file: the entry chunk runs at once; each other chunk is a
 * string until the first `require("./<chunk>.js")`, compiled then (its file name in stack traces:
 * ecs-release.cjs/<chunk>.js) and run once, CommonJS-style (a chunk required again gets the same
 * exports). Node's built-ins are Node's `require`. `compileCache`: chunks after the first 64 KiB
 * loaded are compiled through V8's code cache kept on disk (scripts/compile-cache.js); else with
 * vm.compileFunction.
 */
async function oneFile(outputs: readonly OutputFile[], compileCache = false): Promise<Uint8Array> {
  const chunks: string[] = [];
  let entry: string | undefined;
  for (const output of outputs) {
    const name = basename(output.path);
    // ESM → CommonJS: `import … from "./x.js"` becomes `require("./x.js")`, `import()` a Promise of one.
    // ASCII (esbuild's default charset: "…" as \u2026): Node reads the file into a one-byte string,
    // which V8 also scans faster; compressed in the orb, the job builds come out no larger than in UTF-8.
    const { code } = await transform(output.text, { format: "cjs", minify: true, target: "node20", platform: "node", supported: { "dynamic-import": false } });
    if (name === "ecs-release.js") entry = code;
    else chunks.push(`${JSON.stringify(`./${name}`)}:${stringLiteral(code)}`);
  }
  if (entry === undefined) throw new Error("esbuild gave no entry chunk");
  const compile = compileCache
    ? '__compile(code,__filename+"/"+id.slice(2),id.slice(2))'
    : 'require("node:vm").compileFunction(code,["exports","require","module"],{filename:__filename+"/"+id.slice(2)})';
  const loader =
    (compileCache ? await compileCacheCode(chunks) : "") +
    `var __chunks={${chunks.join(",")}},__loaded={};` +
    "function __require(id){var code=__chunks[id];if(code===void 0)return require(id);var loaded=__loaded[id];if(loaded)return loaded.exports;" +
    `loaded=__loaded[id]={exports:{}};${compile}(loaded.exports,__require,loaded);return loaded.exports}`;
  return Buffer.from(`#!/usr/bin/env node\n${loader}\n(function(require){${entry}})(__require);\n`, "utf8");
}

/** scripts/compile-cache.js, minified, its cache named by a digest of the build's chunks. */
async function compileCacheCode(chunks: readonly string[]): Promise<string> {
  const build = createHash("sha256").update(chunks.join(",")).digest("hex").slice(0, 16);
  const source = readFileSync("scripts/compile-cache.js", "utf8").replace('"BUILD_ID"', JSON.stringify(build));
  return (await transform(source, { minify: true, target: "node20", platform: "node" })).code.trim();
}

/**
 * Code as a single-quoted string literal: minified code quotes its own strings with `"`, which a
 * JSON string would escape thirteen thousand times in the release build (1 KiB more compressed).
 */
function stringLiteral(code: string): string {
  const escapes: Record<string, string> = { "\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\u2028": "\\u2028", "\u2029": "\\u2029" };
  return `'${code.replace(/[\\'\n\r\u2028\u2029]/g, (c) => escapes[c] ?? c)}'`;
}

/**
 * Code of the SDK that only a browser reaches: @aws-sdk/core's user-agent parsing for browsers
 * imports bowser dynamically, and code splitting keeps a dynamic import's chunk even where the code
 * importing it is tree-shaken away. A module that says so in one line if it is ever loaded.
 */
function browserOnly(): Plugin {
  return {
    name: "browser-only",
    setup(esbuild) {
      esbuild.onResolve({ filter: /^bowser$/ }, (args) => ({ path: args.path, namespace: "browser-only" }));
      esbuild.onLoad({ filter: /.*/, namespace: "browser-only" }, (args) => ({ loader: "js", contents: `throw new Error(${JSON.stringify(`ecs-release: ${args.path} is for browsers, not in this build`)});` }));
    },
  };
}

/**
 * The modules that build the AWS clients (src/aws/clients.ts, and the client classes it imports on a
 * client's first call, src/aws/later-clients.ts): a client only they import is never sent a request by
 * the build's commands.
 */
const CLIENT_FACTORY = /^src\/aws\/(clients|later-clients)\.ts$/;
const AWS_CLIENT = /^@aws-sdk\/client-([a-z0-9-]+)$/;

/**
 * Credential sources that need a person at a browser (IAM Identity Center / SSO, `aws login`): never
 * used in a CircleCI job, left out of the job builds. A profile that names one fails with this line.
 */
const INTERACTIVE_CREDENTIALS: Record<string, string> = {
  "@aws-sdk/credential-provider-sso": "fromSSO",
  "@aws-sdk/credential-provider-login": "fromLoginCredentials",
};

/** The CLI command list of a job build: only its commands (src/cli/commands/<name>.ts exports <name>Command). */
function selectCommands(commands: readonly string[]): Plugin {
  const exportName = (name: string) => `${name.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase())}Command`;
  return {
    name: "select-commands",
    setup(esbuild) {
      esbuild.onResolve({ filter: /^\.\/commands\/index\.js$/ }, (args) => (args.importer.endsWith("/src/cli/main.ts") ? { path: "commands", namespace: "select-commands" } : undefined));
      esbuild.onLoad({ filter: /.*/, namespace: "select-commands" }, () => ({
        resolveDir: resolve("src/cli/commands"),
        loader: "ts",
        contents: [...commands.map((name, i) => `import { ${exportName(name)} as c${i} } from "./${name}.js";`), `export const COMMANDS = [${commands.map((_n, i) => `c${i}`).join(", ")}];`].join("\n"),
      }));
    },
  };
}

/**
 * SDK parts that no operation of ecs-release reaches, left out of the job builds to keep each job
 * within the config budget: event-stream serde (ECS, SSM, ECR and IAM have no event-stream operations;
 * CloudWatch Logs has one, StartLiveTail, which ecs-release never calls: its client's config keeps no
 * event-stream marshaller here; the protocol loads the serde only for such an operation) and the
 * Lambda invoke store (recursion detection reads it only inside AWS Lambda, where it gives the X-Ray trace id; undefined is the SDK's own "not in Lambda").
 */
const NEVER_REACHED: Record<string, string> = {
  "@smithy/core/event-streams":
    'export class EventStreamSerde { constructor() { throw new Error("ecs-release: event streams are not in this build"); } } export const eventStreamSerdeProvider = () => { throw new Error("ecs-release: event streams are not in this build"); }; export const resolveEventStreamSerdeConfig = (input) => input;',
  "@aws/lambda-invoke-store": "export const InvokeStore = { getInstanceAsync: async () => undefined };",
  // EventBridge signs with SigV4a only for a global endpoint (EndpointId, which ecs-release never sets):
  // the signer keeps SigV4 and refuses region "*" in one line instead of carrying the CRT hand-off.
  "@aws-sdk/signature-v4-multi-region": [
    `import { SignatureV4SignWithCredentials as S } from ${JSON.stringify(resolve("node_modules/@aws-sdk/signature-v4-multi-region/dist-es/SignatureV4SignWithCredentials.js"))};`,
    'const no = (o) => { if (o && o.signingRegion === "*") throw new Error("ecs-release: no SigV4a in this build"); };',
    "export class SignatureV4MultiRegion extends S {",
    "  async sign(r, o = {}) { no(o); return super.sign(r, o); }",
    "  async presign(r, o = {}) { no(o); return super.presign(r, o); }",
    "  async signWithCredentials(r, c, o = {}) { no(o); return super.signWithCredentials(r, c, o); }",
    "  async presignWithCredentials(r, c, o = {}) { no(o); return super.presignWithCredentials(r, c, o); }",
    "}",
  ].join("\n"),
};

function neverReached(): Plugin {
  return {
    name: "never-reached",
    setup(esbuild) {
      esbuild.onResolve({ filter: /^(@smithy\/core\/event-streams|@aws\/lambda-invoke-store|@aws-sdk\/signature-v4-multi-region)$/ }, (args) => ({ path: args.path, namespace: "never-reached" }));
      esbuild.onLoad({ filter: /.*/, namespace: "never-reached" }, (args) => ({ loader: "js", contents: NEVER_REACHED[args.path] ?? "", resolveDir: resolve(".") }));
    },
  };
}

/**
 * Every package.json a job build imports is read for its version only: an AWS client's (and the nested
 * clients' of the credential providers) for the user agent, `defaultUserAgent({ clientVersion:
 * packageInfo.version })` in its runtimeConfig, and this project's for `--version` (src/cli/main.ts).
 * The rest of each file (scripts, dependencies: 1 to 4 KiB apiece) is left out of the job builds.
 */
function packageVersionsOnly(): Plugin {
  return {
    name: "package-versions-only",
    setup(esbuild) {
      esbuild.onLoad({ filter: /[\\/]package\.json$/ }, (args) => {
        const { name, version } = JSON.parse(readFileSync(args.path, "utf8")) as { name: string; version: string };
        return { loader: "json", contents: JSON.stringify({ name, version }) };
      });
    },
  };
}

/**
 * The job builds register no modelled exception of a service (SSM alone models 140): an error answer
 * then becomes the client's base exception, with the same `name` (the error code), message, `$fault`
 * and `$metadata` (@aws-sdk/core's getErrorSchemaOrThrowBaseException), which is all ecs-release reads
 * of an AWS error (core/aws-errors.ts: by name). The base exception's own registration is kept.
 */
const MODELLED_ERROR_REGISTRATION = /^n0_registry\.registerError\(\w+\$, \w+\);$/gm;
function unregisteredErrors(): Plugin {
  return {
    name: "unregistered-errors",
    setup(esbuild) {
      esbuild.onLoad({ filter: /[\\/]@aws-sdk[\\/](client-[a-z0-9-]+[\\/]dist-es|nested-clients[\\/]dist-es[\\/]submodules[\\/][a-z0-9-]+)[\\/]schemas[\\/]schemas_0\.js$/ }, (args) => {
        const dropped = new Set<string>();
        const unregistered = readFileSync(args.path, "utf8").replace(MODELLED_ERROR_REGISTRATION, (line) => {
          dropped.add(/registerError\((\w+)\$/.exec(line)?.[1] ?? "");
          return "";
        });
        // Their schemas too: nothing else names them, and esbuild keeps an array with computed keys.
        const contents = unregistered.replace(/^export var (\w+)\$ = \[-3, [\s\S]*?^\];$/gm, (block, name: string) => (dropped.has(name) ? "" : block));
        return { loader: "js", contents, resolveDir: dirname(args.path) };
      });
    },
  };
}

/** Each AWS client's exception classes, made by one small function in the job builds (scripts/compact-errors.ts). */
function compactErrors(): Plugin {
  return {
    name: "compact-errors",
    setup(esbuild) {
      esbuild.onLoad({ filter: /[\\/]@aws-sdk[\\/](client-[a-z0-9-]+[\\/]dist-es|nested-clients[\\/]dist-es[\\/]submodules[\\/][a-z0-9-]+)[\\/]models[\\/]errors\.js$/ }, (args) => {
        const compact = compactErrorClasses(readFileSync(args.path, "utf8"));
        return compact === undefined ? undefined : { loader: "js", contents: compact, resolveDir: dirname(args.path) };
      });
    },
  };
}

/** The client class a package exports: ECSClient, SSMClient, ECRClient, IAMClient; CloudWatchLogsClient for cloudwatch-logs. */
function clientClassName(client: string): string {
  return CLIENT_CLASS[client] ?? `${client.toUpperCase()}Client`;
}

/** The client class of an @aws-sdk/client-* package whose name is not its upper-cased service (ECSClient, SSMClient, ECRClient are). */
const CLIENT_CLASS: Record<string, string> = { eventbridge: "EventBridgeClient", scheduler: "SchedulerClient", "secrets-manager": "SecretsManagerClient", "cloudwatch-logs": "CloudWatchLogsClient" };

/**
 * The orb's jobs run their command with parameters, never with --help: a job build carries each
 * flag's name, type, default and choices, and the help text of flags and commands stays in the full
 * build (`install` with `cli: full`; docs/cli.md).
 */
const NO_HELP = "(help: the full build)";
const HELP_FILE = /[\\/]src[\\/]cli[\\/](flag-definitions|commands[\\/][a-z-]+)\.ts$/;
function withoutHelp(path: string, text: string): string {
  if (!HELP_FILE.test(path)) return text;
  return text
    .replace(/(description|summary):\s*"(?:[^"\\]|\\.)*"(\s*\+\s*"(?:[^"\\]|\\.)*")*/g, (_m, key: string) => `${key}: ${JSON.stringify(NO_HELP)}`)
    .replace(/examples:\s*\[[^\]]*\]/g, "examples: []")
    .replace(/placeholder:\s*"(?:[^"\\]|\\.)*",\s*/g, "");
}
function helpLeftOut(): Plugin {
  return {
    name: "help-left-out",
    setup(esbuild) {
      esbuild.onLoad({ filter: HELP_FILE }, (args) => ({ loader: "ts", contents: withoutHelp(args.path, readFileSync(args.path, "utf8")) }));
    },
  };
}

/**
 * A job build loads its AWS clients at start, with the modules of its one command: src/aws/clients.ts
 * otherwise imports later-clients.ts on a client's first call, which makes that module a chunk of its
 * own, with its own bytes of module wrapping, and the release job's config budget has no room for them.
 */
function eagerClients(): Plugin {
  const dynamic = 'await import("./later-clients.js")';
  return {
    name: "eager-clients",
    setup(esbuild) {
      esbuild.onLoad({ filter: /[\\/]src[\\/]aws[\\/]clients\.ts$/ }, (args) => {
        const source = readFileSync(args.path, "utf8");
        const eager = source.replaceAll(dynamic, "laterClients");
        // Any other dynamic import left (written differently, or of another module) would be a chunk of its own again.
        if (eager === source || /\bimport\s*\(/.test(eager)) throw new Error(`eager-clients: ${args.path} should import later-clients.js only as ${dynamic}`);
        return { loader: "ts", contents: `import * as laterClients from "./later-clients.js";\n${eager}` };
      });
    },
  };
}

/** Replaces packages a build never uses by a module whose exports fail with one clear line. */
function leaveOut(build: CliBuild, clients: readonly string[]): Plugin {
  const packages = [...clients.map((client) => `@aws-sdk/client-${client}`), ...Object.keys(INTERACTIVE_CREDENTIALS)];
  return {
    name: "leave-out",
    setup(esbuild) {
      esbuild.onResolve({ filter: /^@aws-sdk\// }, (args) => (packages.includes(args.path) ? { path: args.path, namespace: "left-out" } : undefined));
      esbuild.onLoad({ filter: /.*/, namespace: "left-out" }, (args) => {
        const why = `ecs-release: this build (for the orb's ${build} job) leaves out ${args.path}; install the full build (install: cli: full)`;
        const client = AWS_CLIENT.exec(args.path);
        const contents = client
          ? `export class ${clientClassName(client[1] ?? "")} { constructor() { throw new Error(${JSON.stringify(why)}); } }`
          : `export const ${INTERACTIVE_CREDENTIALS[args.path]} = () => async () => { throw new Error(${JSON.stringify(why)}); };`;
        return { loader: "js", contents };
      });
    },
  };
}

/** AWS clients (ssm, ecs, ...) that some module other than the client factory imports. */
function clientsInUse(metafile: Metafile): { all: Set<string>; used: Set<string> } {
  const all = new Set<string>();
  const used = new Set<string>();
  for (const [path, input] of Object.entries(metafile.inputs)) {
    for (const imported of input.imports) {
      const client = AWS_CLIENT.exec(imported.original ?? "")?.[1];
      if (client === undefined || !path.startsWith("src/")) continue;
      all.add(client);
      if (!CLIENT_FACTORY.test(path)) used.add(client);
    }
  }
  return { all, used };
}

const CHECK = process.argv.includes("--check");
const FORCE = process.argv.includes("--force") && !CHECK;

/** Every file esbuild read for the builds so far (virtual modules of the plugins aside: this script is in the stamp). */
const inputsRead = new Set<string>();
function noteInputs(metafile: Metafile | undefined): void {
  if (!metafile) throw new Error("esbuild gave no metafile");
  for (const path of Object.keys(metafile.inputs)) if (!path.includes(":")) inputsRead.add(path);
}

/** Builds a job's CLI: its commands only, tree-shaken ESM builds of the SDK, the clients it never calls left out. */
async function buildJobBundle(job: Exclude<CliBuild, "full">): Promise<Uint8Array> {
  const options: BuildOptions = { ...COMMON, mainFields: ["module", "main"] };
  const commands = CLI_BUILD_COMMANDS[job];
  const survey = await build({ ...options, plugins: [selectCommands(commands), browserOnly()] });
  if (!survey.metafile) throw new Error("esbuild gave no metafile");
  const { all, used } = clientsInUse(survey.metafile);
  const unused = [...all].filter((client) => !used.has(client)).sort();
  const result = await build({ ...options, plugins: [selectCommands(commands), leaveOut(job, unused), eagerClients(), browserOnly(), neverReached(), packageVersionsOnly(), compactErrors(), unregisteredErrors(), helpLeftOut()] });
  noteInputs(survey.metafile);
  noteInputs(result.metafile);
  const bytes = await oneFile(result.outputFiles ?? []);
  const path = cliBuildPath(job);
  if (!CHECK) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes, { mode: 0o755 });
  }
  console.log(`built ${path} (commands: ${commands.join(", ")}; AWS clients: ${[...used].sort().join(", ") || "none"}) ${Math.round(bytes.length / 1024)} KiB`);
  return bytes;
}

/**
 * The full CLI (dist/ecs-release.cjs): every command, client, help text and credential source, built
 * as the job builds are from the SDK's ES modules (tree-shaken) with their trims of what no command
 * reaches, and with the compile cache (docs/performance.md: "The first write").
 */
async function buildFullBundle(): Promise<Uint8Array> {
  const result = await build({ ...COMMON, mainFields: ["module", "main"], plugins: [browserOnly(), neverReached(), packageVersionsOnly(), compactErrors(), unregisteredErrors()] });
  noteInputs(result.metafile);
  const bytes = await oneFile(result.outputFiles ?? [], true);
  if (!CHECK) {
    mkdirSync(dirname(BUNDLE_PATH), { recursive: true });
    writeFileSync(BUNDLE_PATH, bytes);
    chmodSync(BUNDLE_PATH, 0o755);
  }
  console.log(`built ${BUNDLE_PATH}`);
  return bytes;
}

/** The builds: read from dist/ when its stamp shows nothing they were built from has changed (unless --force), else built anew. */
async function cliBundles(): Promise<CliBundles> {
  if (!FORCE) {
    const stamp = readStamp();
    const reasons = staleness(stamp, esbuildVersion);
    if (reasons.length === 0) {
      console.log(`bundles: dist/ is what the sources build (${Object.keys(stamp?.inputs ?? {}).length} inputs unchanged since they were built; --force builds anew)`);
      const read = (job: CliBuild) => readFileSync(cliBuildPath(job));
      return { full: read("full"), push: read("push"), release: read("release"), rollback: read("rollback"), continue: read("continue") };
    }
    console.log(`bundles: ${CHECK ? "rebuilding in memory" : "building"} (${reasons.slice(0, 3).join("; ")}${reasons.length > 3 ? "; …" : ""})`);
  }
  const started = Date.now();
  const built = {
    full: await buildFullBundle(),
    push: await buildJobBundle("push"),
    release: await buildJobBundle("release"),
    rollback: await buildJobBundle("rollback"),
    continue: await buildJobBundle("continue"),
  };
  if (!CHECK) {
    const changed = changedSince([...inputsRead, ...BUILD_SETTINGS], started);
    if (changed.length === 0) writeFileSync(STAMP_PATH, `${JSON.stringify(makeStamp(esbuildVersion, [...inputsRead, ...BUILD_SETTINGS, ...sourceDirectories(inputsRead)], CLI_BUILDS.map((job) => cliBuildPath(job))), null, 1)}\n`);
    else {
      rmSync(STAMP_PATH, { force: true });
      console.log(`bundles: ${changed[0]}${changed.length > 1 ? ` and ${changed.length - 1} more` : ""} changed during the build: no stamp, the next build builds again`);
    }
  }
  return built;
}

if (process.argv.includes("--cli")) {
  await buildFullBundle();
  process.exit(0);
}

const bundles = await cliBundles();

let stale = 0;
for (const [path, text] of [
  [ORB_PATH, renderOrb(bundles, cachedBrotli())],
  [PROJECT_CONFIG_PATH, renderProjectConfig()],
] as const) {
  if (CHECK) {
    const fresh = existsSync(path) && readFileSync(path, "utf8") === text;
    console.log(`${path}: ${fresh ? "fresh" : "STALE: run npm run build and commit it"}`);
    if (!fresh) stale += 1;
    continue;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  console.log(`wrote ${path} (${Math.round(text.length / 1024)} KiB)`);
}
if (stale > 0) process.exitCode = 1;
