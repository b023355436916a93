/**
 * The length of every function in TypeScript files, measured on the AST: lines from a function's
 * first line to its last, arrow functions and methods included (the house rule: no function in
 * src/commands or src/aws longer than 60 lines).
 *
 *   npx tsx scripts/function-lengths.ts [--over N] FILE…   # prints `lines file:line name`, longest first
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import ts from "typescript";

/** One function and how many lines it spans. */
export interface FunctionLength {
  readonly file: string;
  /** 1-based line of its start. */
  readonly line: number;
  readonly name: string;
  readonly lines: number;
}

/** Every function-like node of `file` (declarations, expressions, arrows, methods, accessors) with its length in lines. */
export function functionLengths(file: string, text = readFileSync(file, "utf8")): FunctionLength[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: FunctionLength[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body !== undefined) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      found.push({ file, line: start + 1, name: functionName(node), lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function functionName(node: ts.SignatureDeclaration): string {
  if (node.name !== undefined) return node.name.getText();
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return parent.name.getText();
  return "(anonymous)";
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const args = process.argv.slice(2);
  const overIndex = args.indexOf("--over");
  const over = overIndex >= 0 ? Number(args.splice(overIndex, 2)[1]) : 0;
  const all = args.flatMap((file) => functionLengths(file)).filter((f) => f.lines > over);
  for (const f of all.sort((a, b) => b.lines - a.lines)) console.log(`${String(f.lines).padStart(4)} ${f.file}:${f.line} ${f.name}`);
}
