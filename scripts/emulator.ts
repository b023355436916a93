/**
 * `npm run emulator -- --port 4566`: run the local AWS emulator in the foreground. Prints
 * `ready http://127.0.0.1:<port>` once requests work; SIGINT/SIGTERM stop moto and exit 0.
 */
import { parseArgs } from "node:util";
import { MotoNotInstalledError, startEmulator, type Emulator } from "../test/emulator/index.js";

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
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
  process.stdout.write(`ready ${emulator.url}\n`);
}

await main();
