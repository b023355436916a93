/**
 * `npm run mutate:score`: the mutation score per file, per directory and in total, from every
 * Stryker report under bench/results/mutation/ (one folder per selection, STRYKER_NAME). A file in
 * several reports counts once, from its newest report. `npm run mutate` prints it after each run.
 *
 * Score as Stryker counts it: (killed + timed out) ÷ (killed + timed out + survived + not covered);
 * ignored mutants (static ones with STRYKER_IGNORE_STATIC=1) and compile errors are not counted.
 *
 *   npm run mutate:score                 # the table
 *   npm run mutate:score -- --survivors  # and every mutant not killed, file:line:column
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const ROOT = "bench/results/mutation";

interface Mutant {
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly status: string;
  readonly location: { readonly start: { readonly line: number; readonly column: number } };
}
interface Report {
  readonly files: Record<string, { readonly mutants: readonly Mutant[] }>;
}
interface Tally {
  killed: number;
  survived: number;
  noCoverage: number;
  ignored: number;
}

/** The score tables (Markdown), from the newest report of each file; undefined when no report exists. */
export function mutationScoreTables(survivors = false, root = ROOT): string | undefined {
  const newest = new Map<string, { mtime: number; selection: string; mutants: readonly Mutant[] }>();
  const selections = existsSync(root) ? readdirSync(root).filter((name) => existsSync(join(root, name, "mutation.json"))) : [];
  for (const selection of selections) {
    const path = join(root, selection, "mutation.json");
    const mtime = statSync(path).mtimeMs;
    const report = JSON.parse(readFileSync(path, "utf8")) as Report;
    for (const [file, { mutants }] of Object.entries(report.files)) {
      const known = newest.get(file);
      if (known === undefined || known.mtime < mtime) newest.set(file, { mtime, selection, mutants });
    }
  }
  if (newest.size === 0) return undefined;
  const lines: string[] = [];
  const files = [...newest.keys()].sort();
  const byDirectory = new Map<string, Tally>();
  let total = EMPTY;
  lines.push("| File | Counted | Killed | Survived | Not covered | Ignored | Score | Report |", "|---|---|---|---|---|---|---|---|");
  for (const file of files) {
    const { selection, mutants } = newest.get(file)!;
    const tally = tallyOf(mutants);
    const directory = file.slice(0, file.lastIndexOf("/"));
    byDirectory.set(directory, add(byDirectory.get(directory) ?? EMPTY, tally));
    total = add(total, tally);
    lines.push(row(file, tally, ` ${selection} |`));
  }
  lines.push("", "| Directory | Counted | Killed | Survived | Not covered | Ignored | Score |", "|---|---|---|---|---|---|---|");
  for (const [directory, tally] of [...byDirectory].sort()) lines.push(row(directory, tally));
  lines.push(row("total", total));
  if (survivors) {
    lines.push("");
    for (const file of files) {
      for (const m of newest.get(file)!.mutants) {
        if (m.status === "Survived" || m.status === "NoCoverage") {
          lines.push(`${file}:${m.location.start.line}:${m.location.start.column} ${m.status} ${m.mutatorName} → ${JSON.stringify(m.replacement ?? "").slice(0, 100)}`);
        }
      }
    }
  }
  return lines.join("\n");
}

const EMPTY: Tally = { killed: 0, survived: 0, noCoverage: 0, ignored: 0 };
const tallyOf = (mutants: readonly Mutant[]): Tally => {
  const tally: Tally = { ...EMPTY };
  for (const { status } of mutants) {
    if (status === "Killed" || status === "Timeout") tally.killed += 1;
    else if (status === "Survived") tally.survived += 1;
    else if (status === "NoCoverage") tally.noCoverage += 1;
    else tally.ignored += 1;
  }
  return tally;
};
const add = (a: Tally, b: Tally): Tally => ({ killed: a.killed + b.killed, survived: a.survived + b.survived, noCoverage: a.noCoverage + b.noCoverage, ignored: a.ignored + b.ignored });
const score = (t: Tally): string => {
  const counted = t.killed + t.survived + t.noCoverage;
  return counted === 0 ? "n/a" : `${((100 * t.killed) / counted).toFixed(1)}%`;
};
const row = (name: string, t: Tally, extra = ""): string =>
  `| ${name} | ${t.killed + t.survived + t.noCoverage} | ${t.killed} | ${t.survived} | ${t.noCoverage} | ${t.ignored} | ${score(t)} |${extra}`;

if (process.argv[1]?.endsWith("mutation-score.ts")) {
  console.log(mutationScoreTables(process.argv.includes("--survivors")) ?? `no mutation reports under ${ROOT}/ (run npm run mutate first)`);
}
