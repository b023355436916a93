/**
 * Benchmark (5): the bundle's size (raw, gzip, brotli) and each orb job's YAML once CircleCI has
 * expanded it (commands inlined, parameters substituted), using the orb tests' expander.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { parse } from "yaml";
import { BUNDLE } from "./cli-process.js";

const ORB_FILE = fileURLToPath(new URL("../../orb/orb.yml", import.meta.url));
const HARNESS = fileURLToPath(new URL("../../test/helpers/orb-harness.ts", import.meta.url));

/** Byte counts. */
export interface Sizes {
  readonly bundle: { raw: number; gzip: number; brotli: number };
  readonly orb: { raw: number; gzip: number };
  /** Job → bytes of its expanded YAML; null when no expander is available. */
  readonly jobs: Record<string, number> | null;
}

type YamlMap = Record<string, unknown>;
interface Harness {
  expandJob(orb: unknown, name: string, args: YamlMap): { yaml: string };
}

/** A placeholder for each required parameter (no default), by type, so a job can be expanded. */
function requiredArguments(job: YamlMap): YamlMap {
  const declared = (job["parameters"] ?? {}) as Record<string, YamlMap>;
  const args: YamlMap = {};
  for (const [name, spec] of Object.entries(declared)) {
    if ("default" in spec) continue;
    args[name] = spec["type"] === "steps" ? [{ run: "npm test" }] : spec["type"] === "boolean" ? false : spec["type"] === "integer" ? 1 : spec["type"] === "enum" ? ((spec["enum"] as string[])[0] ?? "") : "web";
  }
  return args;
}

/** Measures the bundle and the orb (run `npm run build` first). */
export async function measureSizes(): Promise<Sizes> {
  const bundle = readFileSync(BUNDLE);
  const orbText = readFileSync(ORB_FILE);
  let jobs: Record<string, number> | null = null;
  if (existsSync(HARNESS)) {
    const harness = (await import(pathToFileURL(HARNESS).href)) as Harness;
    const orb = parse(orbText.toString("utf8")) as { jobs: Record<string, YamlMap> };
    jobs = {};
    for (const [name, job] of Object.entries(orb.jobs)) jobs[name] = Buffer.byteLength(harness.expandJob(orb, name, requiredArguments(job)).yaml);
  }
  return {
    bundle: { raw: bundle.length, gzip: gzipSync(bundle, { level: 9 }).length, brotli: brotliCompressSync(bundle).length },
    orb: { raw: orbText.length, gzip: gzipSync(orbText, { level: 9 }).length },
    jobs,
  };
}
