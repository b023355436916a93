/**
 * The job builds make each AWS client's exception classes with one small function
 * (scripts/compact-errors.ts). The classes must be the same as the SDK's: every export, its name, its
 * shape id (how the SDK finds the class for an error answer), and what an instance carries — checked
 * here against the real files of the clients the CLI uses, both loaded.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { compactErrorClasses } from "../../scripts/compact-errors.js";

const require = createRequire(import.meta.url);
const CLIENTS = ["ssm", "ecs", "ecr", "eventbridge", "scheduler"];

/** The errors module, bundled to CommonJS and loaded (`contents` replaces the file when given). */
async function load(file: string, contents?: string): Promise<Record<string, unknown>> {
  const result = await build({
    stdin: { contents: contents ?? readFileSync(file, "utf8"), resolveDir: dirname(file), loader: "js" },
    bundle: true,
    format: "cjs",
    platform: "node",
    write: false,
    mainFields: ["module", "main"],
  });
  const module = { exports: {} as Record<string, unknown> };
  new Function("module", "exports", "require", result.outputFiles[0]?.text ?? "")(module, module.exports, require);
  return module.exports;
}

describe("compactErrorClasses", () => {
  it.each(CLIENTS)("client-%s: the same classes, names, shape ids and instances", async (client) => {
    const file = join(dirname(require.resolve(`@aws-sdk/client-${client}`)), "../dist-es/models/errors.js");
    const compact = compactErrorClasses(readFileSync(file, "utf8"));
    expect(compact).toBeDefined();
    const [original, made] = await Promise.all([load(file), load(file, compact)]);
    expect(Object.keys(made).sort()).toEqual(Object.keys(original).sort());
    for (const [name, Original] of Object.entries(original) as Array<[string, new (opts: object) => Record<string, unknown>]>) {
      const Made = made[name] as typeof Original & { shapeId?: string; name: string };
      expect(Made.name).toBe(name);
      expect(Made.shapeId).toBe((Original as unknown as { shapeId: string }).shapeId);
      const opts = { message: "m", Message: "m", $metadata: { httpStatusCode: 400 } };
      const [a, b] = [new Original(opts), new Made(opts)];
      expect(b).toBeInstanceOf(Made);
      expect(b).toBeInstanceOf(Error);
      expect({ ...b, stack: undefined }).toEqual({ ...a, stack: undefined });
      expect([b.name, b.$fault, b.message]).toEqual([a.name, a.$fault, a.message]);
    }
  });

  it("leaves a file with a line of another form alone (bundled as it is)", () => {
    expect(compactErrorClasses('import { X as __BaseException } from "./X";\nexport class A extends __BaseException {\n    retry = true;\n}\n')).toBeUndefined();
  });
});
