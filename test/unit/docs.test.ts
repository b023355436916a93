/**
 * The documentation stays short where it is read first and its links stay whole (issue 16 item 6):
 * README.md at most 300 lines, showing the set-up and test commands `.ci/run` runs; every relative
 * link in README.md, CONTRIBUTING.md and docs/*.md names a file that exists, and a `#fragment` names a
 * heading of that file, slugged as GitHub does (https://docs.github.com/en/get-started/writing-on-github/getting-started-with-writing-and-formatting-on-github/basic-writing-and-formatting-syntax#section-links).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const DOCS = ["README.md", "CONTRIBUTING.md", ...readdirSync(join(ROOT, "docs")).filter((name) => name.endsWith(".md")).map((name) => `docs/${name}`)];

/** The text outside fenced code blocks and inline code: links and headings are only there. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, (code) => code.replace(/[[\]()]/g, " "));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** Every heading's anchor in a Markdown file (a repeated heading gets -1, -2, … as on GitHub). */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const match of markdown.replace(/^```[\s\S]*?^```/gm, "").matchAll(/^#{1,6} (.+)$/gm)) {
    const base = slug(match[1] ?? "");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

/** The relative links of a Markdown file: `[text](target)`, not http(s) or mailto. */
function relativeLinks(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] ?? "").filter((target) => !/^[a-z]+:/i.test(target));
}

/** What is wrong with one link of `file` (a path relative to ROOT), or undefined. */
function brokenLink(file: string, target: string): string | undefined {
  const [path = "", fragment] = target.split("#");
  const resolved = path === "" ? join(ROOT, file) : join(ROOT, dirname(file), decodeURIComponent(path));
  if (!existsSync(resolved)) return `${file}: ${target}: no file ${relative(ROOT, resolved)}`;
  if (fragment === undefined || statSync(resolved).isDirectory() || !resolved.endsWith(".md")) return undefined;
  return anchors(readFileSync(resolved, "utf8")).has(fragment) ? undefined : `${file}: ${target}: no heading #${fragment} in ${relative(ROOT, resolved)}`;
}

describe("README.md", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");

  it("is at most 300 lines", () => {
    expect(readme.split("\n").length).toBeLessThanOrEqual(300);
  });

  it("shows the set-up and test commands .ci/run runs (npm ci, npm test)", () => {
    expect(readme).toContain("```sh\nnpm ci\nnpm test\n```");
  });
});

describe("links between the documents", () => {
  it("finds the documents and their links (the check is not vacuous)", () => {
    expect(DOCS).toEqual(expect.arrayContaining(["README.md", "CONTRIBUTING.md", "docs/iam.md", "docs/runbook.md"]));
    expect(relativeLinks(readFileSync(join(ROOT, "README.md"), "utf8")).length).toBeGreaterThan(5);
  });

  it("slugs headings and reports a missing file or heading", () => {
    expect(slug("3. Panic: `ecs-release rollback`")).toBe("3-panic-ecs-release-rollback");
    expect(slug("The role's trust policy (CircleCI OIDC)")).toBe("the-roles-trust-policy-circleci-oidc");
    expect(relativeLinks("[a](docs/x.md#y) [b](https://e.com) `[c](z.md)`\n```\n[d](w.md)\n```\n")).toEqual(["docs/x.md#y"]);
    expect(brokenLink("README.md", "docs/no-such-file.md")).toContain("no file docs/no-such-file.md");
    expect(brokenLink("README.md", "docs/runbook.md#no-such-heading")).toContain("no heading #no-such-heading");
    expect(brokenLink("docs/cli.md", "runbook.md#3-panic-ecs-release-rollback")).toBeUndefined();
  });

  for (const file of DOCS) {
    it(`every relative link in ${file} points to an existing file (and heading)`, () => {
      const broken = relativeLinks(readFileSync(join(ROOT, file), "utf8"))
        .map((target) => brokenLink(file, target))
        .filter((problem) => problem !== undefined);
      expect(broken).toEqual([]);
    });
  }
});
