/**
 * Every command is short named phases, and so is the AWS shell (the rollout wait included) — no
 * function in src/commands or src/aws longer than 60 lines, measured on the AST (scripts/function-lengths.ts: a function's first line to its last, arrows included).
 */
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { functionLengths } from "../../scripts/function-lengths.js";

const FOLDERS = ["commands", "aws"].map((folder) => fileURLToPath(new URL(`../../src/${folder}/`, import.meta.url)));
const LIMIT = 60;

describe("functions in src/commands and src/aws", () => {
  const files = FOLDERS.flatMap((folder) => readdirSync(folder).filter((name) => name.endsWith(".ts")).map((name) => `${folder}${name}`));

  it.each(files)(`%s: none longer than ${LIMIT} lines`, (path) => {
    const long = functionLengths(path).filter((f) => f.lines > LIMIT);
    expect(long.map((f) => `${f.name} (line ${f.line}): ${f.lines} lines`)).toEqual([]);
  });

  it("measures: a 61-line arrow function is found, a 60-line one is not", () => {
    const body = (lines: number): string => Array.from({ length: lines - 2 }, (_, i) => `  const v${i} = ${i};`).join("\n");
    const text = `export const long = (): void => {\n${body(61)}\n};\nfunction short(): void {\n${body(60)}\n}\n`;
    expect(functionLengths("inline.ts", text).map((f) => [f.name, f.lines])).toEqual([["long", 61], ["short", 60]]);
  });
});
