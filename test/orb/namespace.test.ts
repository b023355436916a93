/**
 * Publishing under your own namespace needs no source edit: `ORB_NAMESPACE=acme npm run build` makes
 * an orb whose examples import `acme/ecs-release@…` and a project config that publishes
 * `acme/ecs-release`. The generator runs in a child process with that environment (the setting is
 * read once, when src/orb/meta.ts loads), on stand-in CLI builds.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { orbNamespace } from "../../src/orb/meta.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "orb-namespace-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The orb and project config the generator renders with `env` (stand-in bundles). */
function generate(env: Record<string, string>): { orb: Record<string, unknown>; config: string } {
  const script = join(dir, "render.mts");
  writeFileSync(
    script,
    [
      `import { renderOrb, renderProjectConfig } from ${JSON.stringify(join(ROOT, "src/orb/index.ts"))};`,
      `const bundle = "#!/usr/bin/env node\\nconsole.log('stand-in');\\n";`,
      `process.stdout.write(JSON.stringify({ orb: renderOrb({ full: bundle, push: bundle, release: bundle, rollback: bundle, continue: bundle }), config: renderProjectConfig() }));`,
    ].join("\n"),
  );
  const out = execFileSync(join(ROOT, "node_modules/.bin/tsx"), [script], { cwd: ROOT, encoding: "utf8", env: { PATH: process.env["PATH"], HOME: process.env["HOME"], ...env } });
  const { orb, config } = JSON.parse(out) as { orb: string; config: string };
  return { orb: parse(orb) as Record<string, unknown>, config };
}

function exampleImports(orb: Record<string, unknown>): string[] {
  const examples = orb["examples"] as Record<string, { usage: { orbs: Record<string, string> } }>;
  return Object.values(examples).flatMap((example) => Object.values(example.usage.orbs));
}

describe("ORB_NAMESPACE", () => {
  it("acme: every example imports acme/ecs-release, and the project publishes acme/ecs-release", () => {
    const { orb, config } = generate({ ORB_NAMESPACE: "acme", ORB_SOURCE_URL: "https://github.com/acme/ecs-release" });
    const imports = exampleImports(orb);
    expect(imports.length).toBeGreaterThan(3);
    for (const ref of imports) expect(ref).toMatch(/^acme\/ecs-release@/);
    expect(config).toContain('circleci orb publish orb/orb.yml "acme/ecs-release@${CIRCLE_TAG#v}"');
    expect((orb["display"] as Record<string, string>)["source_url"]).toBe("https://github.com/acme/ecs-release");
  });

  it("unset: the placeholder namespace (the control: the same generator, another import)", () => {
    for (const ref of exampleImports(generate({}).orb)) expect(ref).toMatch(/^ecs-release\/ecs-release@/);
  });

  it.each([
    ["acme", "acme"],
    ["", "ecs-release"],
    ["acme-platform_2", "acme-platform_2"],
  ])("%j → %s", (value, expected) => {
    expect(orbNamespace(value)).toBe(expected);
  });

  it("refuses a value that is not a namespace (it would end up in a shell command of the publishing job)", () => {
    expect(() => orbNamespace('acme"; rm -rf /')).toThrow(/is not a CircleCI namespace/);
    expect(() => orbNamespace("acme/ecs")).toThrow(/is not a CircleCI namespace/);
  });
});
