// Used by scripts/build.ts for the job builds; table-tested in test/unit/build-compact-errors.test.ts.
/**
 * Each AWS client declares every exception of its service as a class (SSM: 140 of them, 40 KiB of a
 * job build), all alike: name, fault, shape id, the members copied from the answer. In the job builds
 * they are made by one small function instead — the same classes, names, prototypes, `shapeId`s and
 * own members. The file is rewritten only when every line has one of the known forms; otherwise it is
 * bundled as it is.
 */
const ERROR_FILE_LINE = [
  /^export class \w+ extends __BaseException \{$/,
  /^ {4}static shapeId = "[^"]+";$/,
  /^ {4}name = "\w+";$/,
  /^ {4}\$fault = "(client|server)";$/,
  /^ {4}\w+;$/,
  /^ {4}constructor\(opts\) \{$/,
  /^ {8}super\(\{$/,
  /^ {12}name: "\w+",$/,
  /^ {12}\$fault: "(client|server)",$/,
  /^ {12}\.\.\.opts,$/,
  /^ {8}\}\);$/,
  /^ {8}Object\.setPrototypeOf\(this, \w+\.prototype\);$/,
  /^ {8}this\.(\w+) = opts\.\1;$/,
  /^ {4}\}$/,
  /^\}$/,
  /^import \{ \w+ as __BaseException \} from "\.\/\w+";$/,
  /^$/,
];

export function compactErrorClasses(source: string): string | undefined {
  const lines = source.split("\n");
  if (!lines.every((line) => ERROR_FILE_LINE.some((form) => form.test(line)))) return undefined;
  const header = lines.find((line) => line.startsWith("import "));
  const classes = [...source.matchAll(/^export class (\w+) extends __BaseException \{\n([\s\S]*?)\n\}$/gm)].map(([, name, body = ""]) => ({
    name: name ?? "",
    shapeId: /static shapeId = "([^"]+)";/.exec(body)?.[1] ?? "",
    fault: /^ {4}\$fault = "(client|server)";$/m.exec(body)?.[1] ?? "client",
    members: [...body.matchAll(/^ {4}(\w+);$/gm)].map((m) => m[1] ?? ""),
    copied: new Set([...body.matchAll(/^ {8}this\.(\w+) = opts\.\1;$/gm)].map((m) => m[1] ?? "")),
  }));
  if (header === undefined || classes.length !== lines.filter((line) => line.startsWith("export class ")).length) return undefined;
  // Shape ids share the service's namespace (`com.amazonaws.ssm#…`): given once, joined to each name.
  const namespaces = new Set(classes.map((c) => c.shapeId.slice(0, c.shapeId.indexOf("#") + 1)));
  const [namespace] = namespaces;
  if (namespaces.size !== 1 || namespace === undefined || classes.some((c) => c.shapeId !== `${namespace}${c.name}`)) return undefined;
  const make =
    `const __error = (name, $fault, members, copied = members) => { const C = class extends __BaseException { constructor(opts) { super({ name, $fault, ...opts }); this.name = name; this.$fault = $fault;` +
    ` Object.setPrototypeOf(this, C.prototype); for (const m of members) this[m] = copied.includes(m) ? opts[m] : undefined; } };` +
    ` Object.defineProperty(C, "name", { value: name }); C.shapeId = ${JSON.stringify(namespace)} + name; return C; };`;
  const exports = classes.map((c) => {
    const copied = [...c.copied];
    const sameCopied = copied.length === c.members.length && c.members.every((m) => c.copied.has(m));
    return `export const ${c.name} = __error(${JSON.stringify(c.name)}, ${JSON.stringify(c.fault)}, ${JSON.stringify(c.members)}${sameCopied ? "" : `, ${JSON.stringify(copied)}`});`;
  });
  return [header, make, ...exports].join("\n");
}

