// Installs the ecs-release CLI that travels inside the orb, with nothing downloaded: the step's
// environment carries the brotli-compressed bundle as base64 in ORB_PACKED_1..n (each well below
// Linux's 128 KiB limit on one variable). This joins and decodes them, checks the SHA-256 the orb
// was generated with, writes the CLI to ~/.ecs-release/bin, and puts it on PATH for the job's later
// steps through $BASH_ENV (which bash reads before every step).
const { createHash } = require("node:crypto");
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { brotliDecompressSync } = require("node:zlib");

const parts = Object.keys(process.env)
  .filter((name) => /^ORB_PACKED_\d+$/.test(name))
  .sort((a, b) => Number(a.slice(11)) - Number(b.slice(11)));
const packed = parts.map((name) => process.env[name]).join("");
const bundle = brotliDecompressSync(Buffer.from(packed, "base64"));
const sha256 = createHash("sha256").update(bundle).digest("hex");
if (sha256 !== process.env.ORB_SHA256) {
  console.error(`The unpacked ecs-release has SHA-256 ${sha256}, not ${process.env.ORB_SHA256}: the orb is damaged.`);
  process.exit(1);
}

const binDir = path.join(os.homedir(), ".ecs-release", "bin");
const cli = path.join(binDir, "ecs-release");
fs.mkdirSync(binDir, { recursive: true });
fs.writeFileSync(cli, bundle, { mode: 0o755 });
fs.chmodSync(cli, 0o755);
if (process.env.BASH_ENV) fs.appendFileSync(process.env.BASH_ENV, `export PATH="${binDir}:$PATH"\n`);

const env = { ...process.env };
for (const name of [...parts, "ORB_UNPACK_SCRIPT"]) delete env[name];
const version = execFileSync(process.execPath, [cli, "--version"], { encoding: "utf8", env }).trim();
console.log(`Installed ecs-release ${version} at ${cli} (sha256 ${sha256}).`);
