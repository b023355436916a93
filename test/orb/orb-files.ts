/** Shared by the orb tests: the generated files, parsed, and the CircleCI config schema. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { parse } from "yaml";
import type { Orb, Yaml } from "../helpers/orb-harness.js";

/** The project root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const ORB_FILE = `${ROOT}orb/orb.yml`;
export const PROJECT_CONFIG_FILE = `${ROOT}.circleci/config.yml`;
export const BUNDLE_FILE = `${ROOT}dist/ecs-release.cjs`;

/** orb/orb.yml, parsed. */
export function readOrb(): Orb & { description: string; display: Record<string, string>; examples: Record<string, { description: string; usage: Record<string, Yaml> }> } {
  return parse(readFileSync(ORB_FILE, "utf8"));
}

/** CircleCI's schema for config and orb YAML (kept outside the project on purpose). */
export function compileSchema(): (document: unknown) => { valid: boolean; errors: string[] } {
  const schema = JSON.parse(readFileSync(`${ROOT}../shared/circleci/config-schema.json`, "utf8")) as object;
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
