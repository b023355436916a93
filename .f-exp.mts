import { build, type Plugin } from "esbuild";
import { brotliCompressSync, constants } from "node:zlib";
import { resolve } from "node:path";
const [names, stubList = "", fields = "module,main"] = process.argv.slice(2);
const cmds = names!.split(",");
const camel = (n: string) => n.replace(/-(\w)/g, (_, c) => c.toUpperCase()) + "Command";
const stubs = stubList ? stubList.split(",") : [];
const plugin: Plugin = {
  name: "select",
  setup(b) {
    if (process.env.STATIC) b.onLoad({ filter: /\/src\/.*\.ts$/ }, async (a) => {
      const { readFile } = await import("node:fs/promises");
      let text = await readFile(a.path, "utf8"); const specs: string[] = [];
      text = text.replace(/await import\("([^"]+)"\)/g, (_m, s: string) => { let i = specs.indexOf(s); if (i < 0) { specs.push(s); i = specs.length - 1; } return `__static${i}`; });
      if (!specs.length) return undefined;
      return { contents: specs.map((s, i) => `import * as __static${i} from ${JSON.stringify(s)};`).join("\n") + "\n" + text, loader: "ts" };
    });
    b.onResolve({ filter: /\/commands\/index\.js$/ }, (a) => a.importer.endsWith("src/cli/main.ts") ? { path: "commands", namespace: "sel" } : undefined);
    b.onLoad({ filter: /.*/, namespace: "sel" }, () => ({ resolveDir: resolve("src/cli/commands"), loader: "ts", contents: cmds.map((c, i) => `import { ${camel(c)} as c${i} } from "./${c}.js";`).join("\n") + `\nexport const COMMANDS = [${cmds.map((_, i) => `c${i}`).join(",")}];` }));
    if (process.env.NOSSO) { b.onResolve({ filter: /^@aws-sdk\/(credential-provider-sso|credential-provider-login|token-providers)$/ }, (a) => ({ path: a.path, namespace: "nosso" }));
      b.onLoad({ filter: /.*/, namespace: "nosso" }, (a) => ({ loader: "js", contents: `const no = () => async () => { throw new Error("no ${a.path}"); }; export const fromSSO = no, fromLoginCredentials = no, fromSso = no, fromStatic = no, nodeProvider = no;` })); }
    b.onResolve({ filter: /^(@aws-sdk\/client-(ssm|ecr|ecs)|bowser)$/ }, (a) => stubs.includes(a.path.split("-").pop()!) || (a.path === "bowser" && stubs.includes("bowser")) ? { path: a.path, namespace: "stub" } : undefined);
    b.onLoad({ filter: /.*/, namespace: "stub" }, (a) => ({ contents: `export class ${a.path.split("-").pop()!.toUpperCase()}Client { constructor() { throw new Error("no ${a.path}"); } }`, loader: "js" }));
  },
};
const r = await build({ entryPoints: ["src/cli/bin.ts"], bundle: true, platform: "node", format: "cjs", target: "node20", minify: true, legalComments: "none", write: false, metafile: true, logLevel: "error", mainFields: fields.split(","), ...(process.env.YAMLESM ? { alias: { yaml: "./node_modules/yaml/browser/dist/index.js" } } : {}), plugins: [plugin] });
const out = r.outputFiles[0]!.contents;
const br = brotliCompressSync(out, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: out.length } });
console.log(names, stubList, "raw", out.length, "brotli", br.length, "base64 KiB", Math.round(Math.ceil(br.length / 3) * 4 / 1024));
const by: Record<string, number> = {};
for (const [path, info] of Object.entries(r.metafile.outputs[Object.keys(r.metafile.outputs)[0]!]!.inputs)) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path); const k = m ? m[1]! : path.split("/").slice(0,2).join("/");
  by[k] = (by[k] ?? 0) + info.bytesInOutput;
}
if (process.env.FILES) { const f = Object.entries(r.metafile.outputs[Object.keys(r.metafile.outputs)[0]!]!.inputs).sort((a,b)=>b[1].bytesInOutput-a[1].bytesInOutput).slice(0,45); console.log(f.map(([p,i])=>`${i.bytesInOutput}\t${p}`).join("\n")); }
if (process.env.SHOW) console.log(Object.entries(by).sort((a,b)=>b[1]-a[1]).slice(0,14).map(([k,v])=>`${v}\t${k}`).join("\n"));
if (process.env.WHO) { for (const [p, i] of Object.entries(r.metafile.inputs)) for (const imp of i.imports) if (imp.path.includes(process.env.WHO)) console.log(p, "->", imp.path, imp.kind); }
