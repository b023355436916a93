// Installs the ecs-release CLI that travels inside the orb, with nothing downloaded: the step's
// environment carries the brotli-compressed bundle in base 85 in ORB_PACKED_1..n (each well below
// Linux's 128 KiB limit on one variable). This joins and decodes them, checks the SHA-256 the orb
// was generated with, writes the CLI to ~/.ecs-release/bin (safely: see below), and puts it on PATH for the job's later
// steps through $BASH_ENV (which bash reads before every step). It runs on the Node.js the CLI will
// run on, so it checks that Node.js first, and it prints the version the orb was built with
// (ORB_CLI_VERSION, what the CLI's --version prints) instead of starting the CLI to ask it: one Node
// process less in every job.
const major = Number(process.versions.node.split(".")[0]);
if (!(major >= 20)) {
  console.error(`ecs-release needs Node.js 20 or later; this executor has ${process.version}. Use the orb's node executor, or a cimg/node image of 20 or later.`);
  process.exit(1);
}
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { brotliDecompressSync } = require("node:zlib");

const parts = Object.keys(process.env)
  .filter((name) => /^ORB_PACKED_\d+$/.test(name))
  .sort((a, b) => Number(a.slice(11)) - Number(b.slice(11)));
const packed = parts.map((name) => process.env[name]).join("");
// Base 85 (src/orb/embed.ts, PACK_ALPHABET): printable ASCII without " ' \\ < > $ ` { }; 4 bytes in 5
// digits, big-endian; a last group of n bytes is n + 1 digits, padded with the highest digit.
// Digits by character code, in a table: a job decodes about 200,000 of them. A character outside the
// alphabet decodes to a wrong word, which the SHA-256 check below refuses. 4 spare bytes take the last
// group's word.
const alphabet = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).filter((c) => !"\"'\\<>$`{}".includes(c)).join("");
const digitOf = new Uint8Array(128);
for (let i = 0; i < alphabet.length; i++) digitOf[alphabet.charCodeAt(i)] = i;
const compressed = Buffer.alloc(Math.ceil(packed.length / 5) * 4 + 4);
let size = 0;
for (let i = 0; i < packed.length; i += 5) {
  let value = 0;
  for (let j = i; j < i + 5; j++) value = value * 85 + (j < packed.length ? digitOf[packed.charCodeAt(j)] : 84);
  compressed.writeUInt32BE(value, size);
  size += Math.min(5, packed.length - i) - 1;
}
const bundle = brotliDecompressSync(compressed.subarray(0, size));
const sha256 = createHash("sha256").update(bundle).digest("hex");
if (sha256 !== process.env.ORB_SHA256) {
  console.error(`The unpacked ecs-release has SHA-256 ${sha256}, not ${process.env.ORB_SHA256}: the orb is damaged.`);
  process.exit(1);
}

// The target directories must be this user's own real directories: a symlink, or a directory another
// user owns or may write to, could send the CLI (which later steps run with the job's credentials)
// somewhere else or let someone swap it. The CLI is written to a new temporary file in the target
// directory (O_EXCL | O_NOFOLLOW: never through a planted link), then renamed over the old one.
function ownDirectory(dir) {
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if (error.code !== "EEXIST") throw error;
  }
  const stat = fs.lstatSync(dir);
  const uid = process.getuid();
  let problem;
  if (stat.isSymbolicLink()) problem = "is a symbolic link";
  else if (!stat.isDirectory()) problem = "is not a directory";
  else if (stat.uid !== uid) problem = `belongs to uid ${stat.uid}, not to this job's user (uid ${uid})`;
  else if ((stat.mode & 0o022) !== 0) problem = `is writable by other users (mode ${(stat.mode & 0o777).toString(8)})`;
  if (problem) {
    console.error(`Refusing to install ecs-release: ${dir} ${problem}. Remove it, or let the job's user own it with mode 700.`);
    process.exit(1);
  }
}

const base = path.join(os.homedir(), ".ecs-release");
const binDir = path.join(base, "bin");
const cli = path.join(binDir, "ecs-release");
ownDirectory(base);
ownDirectory(binDir);
const temporary = path.join(binDir, `.ecs-release.${process.pid}.${createHash("sha256").update(String(Math.random())).digest("hex").slice(0, 12)}.tmp`);
const fd = fs.openSync(temporary, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o755);
try {
  for (let written = 0; written < bundle.length; ) written += fs.writeSync(fd, bundle, written);
  fs.fchmodSync(fd, 0o755);
  fs.fsyncSync(fd);
} finally {
  fs.closeSync(fd);
}
fs.renameSync(temporary, cli);
if (process.env.BASH_ENV) fs.appendFileSync(process.env.BASH_ENV, `export PATH="${binDir}:$PATH"\n`);
console.log(`Installed ecs-release ${process.env.ORB_CLI_VERSION} at ${cli} (sha256 ${sha256}).`);
