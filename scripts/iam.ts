// `npm run iam -- <policy> [--set Name=value …]`: prints a policy of src/iam/policies.ts as IAM
// JSON (build, release, rollback, task-execution-secrets, trust), placeholders filled from --set.
// `npm run iam -- --markdown` prints docs/iam.md's policy listing. Thin: the data lives in src/iam.
// `--out FILE` writes the JSON to FILE instead of stdout (npm's own banner goes to stdout with `npm run`
// unless `npm run -s`; with --out it cannot end up in the policy file).
import { writeFileSync } from "node:fs";
import { fillPlaceholders, PLACEHOLDERS, placeholdersIn, policiesMarkdown, policyDocument, POLICIES, type JobPolicy, type Placeholder } from "../src/iam/policies.js";

const argv = process.argv.slice(2);
const outAt = argv.findIndex((arg) => arg === "--out" || arg.startsWith("--out="));
const out = outAt < 0 ? undefined : argv[outAt]?.startsWith("--out=") ? argv[outAt]?.slice(6) : argv[outAt + 1];
const args = outAt < 0 ? argv : argv.filter((_arg, i) => i !== outAt && (i !== outAt + 1 || argv[outAt]?.startsWith("--out=") === true));
const names = Object.keys(POLICIES) as Array<JobPolicy["name"]>;

function usage(): never {
  process.stderr.write(`usage: npm run -s iam -- <${names.join("|")}> [--set Name=value …] [--out FILE] | --markdown\nplaceholders:\n${Object.entries(PLACEHOLDERS).map(([k, v]) => `  ${k}: ${v}`).join("\n")}\n`);
  process.exit(2);
}

if (args.includes("--markdown")) {
  process.stdout.write(policiesMarkdown());
  process.exit(0);
}

const [name, ...rest] = args;
const policy = names.includes(name as JobPolicy["name"]) ? POLICIES[name as JobPolicy["name"]] : usage();
// The ref allowed to deploy: main unless --set DeployRef=… (e.g. 'refs/tags/v*' for tag-triggered releases).
const values: Partial<Record<Placeholder, string>> = { DeployRef: "refs/heads/main" };
for (let i = 0; i < rest.length; i++) {
  const pair = rest[i] === "--set" ? rest[++i] : rest[i]?.startsWith("--set=") ? rest[i]?.slice(6) : usage();
  const match = /^([A-Za-z]+)=(.*)$/.exec(pair ?? "");
  if (!match || !(match[1]! in PLACEHOLDERS)) usage();
  values[match[1] as Placeholder] = match[2] ?? "";
}
const document = fillPlaceholders(policyDocument(policy), values);
if (out === "") usage();
if (out !== undefined) {
  writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
  process.stderr.write(`wrote ${out}\n`);
} else process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
const left = placeholdersIn(document);
if (left.length > 0) process.stderr.write(`placeholders left: ${left.map((p) => `\${${p}} (${PLACEHOLDERS[p]})`).join(", ")}\n`);
