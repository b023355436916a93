import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { recordTypecheckPassed, typecheckDigest, typecheckPassedBefore } from "../../scripts/typecheck-cache.js";

// npm test skips tsc only when nothing it reads has changed since it last passed (scripts/typecheck-cache.ts).
describe("the type check's digest", () => {
  let root: string;
  const project = () => {
    root = mkdtempSync(join(tmpdir(), "typecheck-cache-"));
    mkdirSync(join(root, "src/a"), { recursive: true });
    mkdirSync(join(root, "node_modules/typescript"), { recursive: true });
    writeFileSync(join(root, "tsconfig.json"), JSON.stringify({ include: ["src", "vitest.config.ts"] }));
    writeFileSync(join(root, "package-lock.json"), "{}");
    writeFileSync(join(root, "package.json"), '{"type":"module"}');
    writeFileSync(join(root, "node_modules/typescript/package.json"), '{"version":"5.9.3"}');
    writeFileSync(join(root, "src/a/one.ts"), "export const one = 1;\n");
    writeFileSync(join(root, "vitest.config.ts"), "export default {};\n");
    writeFileSync(join(root, "outside.ts"), "not included\n");
    return root;
  };
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it.each<[string, (root: string) => void]>([
    ["a file under include changed", (r) => writeFileSync(join(r, "src/a/one.ts"), "export const one = 2;\n")],
    ["a file added under include", (r) => writeFileSync(join(r, "src/two.ts"), "export {};\n")],
    ["an included file removed", (r) => rmSync(join(r, "vitest.config.ts"))],
    ["include itself changed", (r) => writeFileSync(join(r, "tsconfig.json"), JSON.stringify({ include: ["src"] }))],
    ["the installed packages changed", (r) => writeFileSync(join(r, "node_modules/.package-lock.json"), "{}")],
    ["package.json changed (its type, or a field a source imports)", (r) => writeFileSync(join(r, "package.json"), '{"type":"commonjs"}')],
    ["another TypeScript", (r) => writeFileSync(join(r, "node_modules/typescript/package.json"), '{"version":"6.0.0"}')],
  ])("changes when %s", (_name, change) => {
    const before = typecheckDigest(project());
    recordTypecheckPassed(root, before);
    change(root);
    const after = typecheckDigest(root);
    expect(after).not.toBe(before);
    expect(typecheckPassedBefore(root, after)).toBe(false);
  });

  it("is unknown, so tsc runs, when tsconfig.json reads more than include", () => {
    project();
    writeFileSync(join(root, "tsconfig.json"), JSON.stringify({ extends: "./base.json", include: ["src"] }));
    expect(typecheckDigest(root)).toBeUndefined();
    expect(typecheckPassedBefore(root, undefined)).toBe(false);
  });

  it("stays when only a file outside include changed, and the passed check is found", () => {
    const before = typecheckDigest(project());
    expect(typecheckPassedBefore(root, before)).toBe(false);
    recordTypecheckPassed(root, before);
    writeFileSync(join(root, "outside.ts"), "changed\n");
    expect(typecheckDigest(root)).toBe(before);
    expect(typecheckPassedBefore(root, before)).toBe(true);
  });
});
