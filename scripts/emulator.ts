/**
 * `npm run emulator -- --port 4566`: run the local AWS emulator in the foreground. Prints
 * `ready http://127.0.0.1:<port>` once requests work; SIGINT/SIGTERM stop moto and exit 0.
 *
 * npm forwards SIGTERM only to its `sh -c` child, which dies without passing it on to tsx and this
 * process. So, on Linux, this process also watches its ancestors up to npm and shuts down as if
 * signalled when one of them is gone.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { MotoNotInstalledError, startEmulator, type Emulator } from "../test/emulator/index.js";

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** Parent process id and state of `pid` from /proc, or undefined when it is gone (Linux only). */
function readProcStat(pid: number): { ppid: number; state: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0] ?? "", ppid: Number(fields[1]) };
  } catch {
    return undefined;
  }
}

/** Our ancestors up to and including the nearest npm process; empty when npm is not among them. */
function ancestorsUpToNpm(): number[] {
  const chain: number[] = [];
  let pid = process.ppid;
  for (let depth = 0; depth < 8 && pid > 1; depth += 1) {
    chain.push(pid);
    let cmdline = "";
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
    } catch {
      return [];
    }
    if (/(^|[\s/])npm(-cli\.js)?(\s|$)/.test(cmdline)) return chain;
    const stat = readProcStat(pid);
    if (stat === undefined) return [];
    pid = stat.ppid;
  }
  return [];
}

function watchAncestors(onGone: () => void): void {
  const ancestors = ancestorsUpToNpm();
  if (ancestors.length === 0) return;
  const timer = setInterval(() => {
    const gone = ancestors.some((pid) => {
      const stat = readProcStat(pid);
      return stat === undefined || stat.state === "Z";
    });
    if (gone) {
      clearInterval(timer);
      onGone();
    }
  }, 250);
  timer.unref();
}

async function main(): Promise<void> {
  let port: number;
  try {
    const { values } = parseArgs({ options: { port: { type: "string", default: "4566" } }, strict: true });
    port = Number(values.port);
  } catch (error) {
    fail(`usage: npm run emulator -- --port <port> (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail("usage: npm run emulator -- --port <port> (0-65535)");

  let emulator: Emulator;
  try {
    emulator = await startEmulator({ port });
  } catch (error) {
    if (error instanceof MotoNotInstalledError) fail(error.message);
    fail(`emulator failed to start: ${error instanceof Error ? error.message : String(error)}`);
  }

  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    emulator.stop().then(
      () => process.exit(0),
      (error: unknown) => fail(`emulator failed to stop: ${error instanceof Error ? error.message : String(error)}`),
    );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
  watchAncestors(shutdown);
  process.stdout.write(`ready ${emulator.url}\n`);
}

await main();
