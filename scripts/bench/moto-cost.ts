/**
 * moto's own CPU time per request, with the wrapper's changes (test/emulator/moto-process.ts:
 * LOOKUP_CACHES, KEEP_ALIVE_SERVER, and RESET_WITHOUT_REBUILDING for the reset in a set-up) and as shipped, in interleaved rounds: two emulators side by side, each round runs the
 * same work on one and then the other, so that a busy machine slows both alike. The work is what the
 * suite asks of moto most: a test's set-up (reset, then seedPlatform: about 25 requests) and a
 * rollout's polling (DescribeServices). CPU time is read from /proc (Linux only), so other processes
 * on the machine do not count; the wall time does not matter here.
 *
 *   npx tsx scripts/bench/moto-cost.ts [ROUNDS]
 */
import { readFileSync } from "node:fs";
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { startEmulator, type Emulator } from "../../test/emulator/index.js";
import { awsClients } from "../../test/helpers/emulator.js";
import { seedPlatform } from "../../test/helpers/seed.js";
import { median } from "./stats.js";

// The tests' own clients on Node 20: the SDK's notice about its future releases is noise here.
process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";

const SEEDS_PER_ROUND = 5;
const POLLS_PER_ROUND = 100;

/** CPU seconds (user + system) a process has used, from /proc/PID/stat (fields 14 and 15). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** One round on one emulator: moto's CPU milliseconds per request for the seeds and for the polls. */
async function round(emulator: Emulator): Promise<{ seed: number; poll: number }> {
  // Clients without the emulator's snapshots: every seed goes through the API, request by request.
  const clients = awsClients({ url: emulator.url });
  // Requests that reached moto: the counts also list the reads the front answered itself ("cache hit: …").
  const requests = async (): Promise<number> =>
    Object.entries(await emulator.motoCalls()).reduce((sum, [key, { count }]) => (key.startsWith("cache hit: ") ? sum : sum + count), 0);
  let cpu = cpuSeconds(emulator.motoPid);
  let sent = await requests();
  for (let i = 0; i < SEEDS_PER_ROUND; i++) {
    await emulator.reset();
    await seedPlatform(clients);
  }
  const seed = ((cpuSeconds(emulator.motoPid) - cpu) * 1000) / ((await requests()) - sent);
  cpu = cpuSeconds(emulator.motoPid);
  sent = await requests();
  for (let i = 0; i < POLLS_PER_ROUND; i++) await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }));
  const poll = ((cpuSeconds(emulator.motoPid) - cpu) * 1000) / ((await requests()) - sent);
  return { seed, poll };
}

const rounds = Number(process.argv[2] ?? 9);
const kept = await startEmulator();
const shipped = await startEmulator({ motoAsShipped: true });
try {
  // Unmeasured: each moto loads its service models on the first request for a service.
  await round(kept);
  await round(shipped);
  const series = { kept: [] as { seed: number; poll: number }[], shipped: [] as { seed: number; poll: number }[] };
  for (let i = 0; i < rounds; i++) {
    series.shipped.push(await round(shipped));
    series.kept.push(await round(kept));
  }
  const ms = (values: readonly number[]): string => `${median(values).toFixed(2)} ms`;
  for (const part of ["seed", "poll"] as const) {
    const before = series.shipped.map((r) => r[part]);
    const after = series.kept.map((r) => r[part]);
    const label = part === "seed" ? "set-up (reset + seedPlatform)" : "DescribeServices";
    console.log(`${label}: moto CPU per request, median of ${rounds} rounds: as shipped ${ms(before)}, with the wrapper's changes ${ms(after)} (${(median(after) / median(before)).toFixed(2)}×)`);
  }
} finally {
  await Promise.all([kept.stop(), shipped.stop()]);
}
