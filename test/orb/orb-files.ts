/** Shared by the orb tests: the generated files, parsed, and the CircleCI config schema. */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { DEFAULT_PIPELINE, parseOrbText, type Orb, type Yaml } from "../helpers/orb-harness.js";

/** The project root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const ORB_FILE = `${ROOT}orb/orb.yml`;
export const PROJECT_CONFIG_FILE = `${ROOT}.circleci/config.yml`;
export const BUNDLE_FILE = `${ROOT}dist/ecs-release.cjs`;

/** orb/orb.yml, parsed. */
export function readOrb(): Orb & { description: string; display: Record<string, string>; examples: Record<string, { description: string; usage: Record<string, Yaml> }> } {
  return parseOrbText(readFileSync(ORB_FILE, "utf8")) as ReturnType<typeof readOrb>;
}

/**
 * The environment variable naming CircleCI's published JSON schema for config and orb YAML (schema.json of
 * CircleCI-Public/circleci-yaml-language-server). The file is not part of this repository: `.ci/run` sets the
 * variable to ../shared/circleci/config-schema.json, the project's CircleCI test job downloads it pinned by
 * commit and SHA-256. Without it the schema suite shows as skipped, naming this variable.
 */
export const SCHEMA_VARIABLE = "CIRCLECI_CONFIG_SCHEMA";

/** The schema file's path from {@link SCHEMA_VARIABLE}, or undefined when the variable is not set. */
export function schemaFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[SCHEMA_VARIABLE]?.trim();
  return value ? value : undefined;
}

/** Reads and parses the schema (a set variable naming a missing file is an error, never a skip). */
export function readSchema(path: string): object {
  if (!existsSync(path)) throw new Error(`${SCHEMA_VARIABLE}=${path}: no such file`);
  return JSON.parse(readFileSync(path, "utf8")) as object;
}

/** CircleCI's schema for config and orb YAML, compiled, from the file at `path`. */
export function compileSchema(path: string): (document: unknown) => { valid: boolean; errors: string[] } {
  const schema = readSchema(path);
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  const validate = ajv.compile(schema);
  return (document) => {
    const valid = validate(document) as boolean;
    return { valid, errors: (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`) };
  };
}

/** Every (path, value) pair of a YAML tree, depth first. */
export function* walk(value: unknown, path: string[] = []): Generator<[string[], unknown]> {
  yield [path, value];
  if (Array.isArray(value)) for (const [index, item] of value.entries()) yield* walk(item, [...path, String(index)]);
  else if (typeof value === "object" && value !== null) for (const [key, item] of Object.entries(value)) yield* walk(item, [...path, key]);
}

type Map = Record<string, Yaml>;

/** The example with `<< pipeline.x >>` and `<< pipeline.parameters.x >>` replaced as CircleCI does first. */
export function withPipelineValues(usage: Map, given: Record<string, string | number | boolean> = {}): Map {
  const declared = (usage["parameters"] ?? {}) as Record<string, Map>;
  const text = JSON.stringify(usage).replace(/<<\s*pipeline\.([\w.-]+)\s*>>/g, (match, name: string) => {
    if (name.startsWith("parameters.")) {
      const parameter = declared[name.slice("parameters.".length)];
      if (parameter === undefined) throw new Error(`${match} is not declared`);
      const name0 = name.slice("parameters.".length);
      return String(name0 in given ? given[name0] : parameter["default"]);
    }
    if (!(name in DEFAULT_PIPELINE)) throw new Error(`${match} is not a pipeline value the test knows`);
    return String(DEFAULT_PIPELINE[name]);
  });
  return JSON.parse(text) as Map;
}

