/**
 * Vitest setup (vitest.config.ts `setupFiles`): when `TEST_CPU_FILE` names a file, each test file
 * appends one JSON line to it with the CPU seconds spent while it ran, split three ways: the test
 * worker itself (tests, the in-process CLI, the emulator's front, the SDK), the processes it started
 * and waited for (CLI bundles, bash steps of the orb, npm, podman), and the worker's moto. A worker
 * runs its files one after another (vitest.config.ts, `isolate: false`), so the differences are the
 * file's. Read from /proc: Linux only. `npx tsx scripts/cpu-per-file.ts FILE` sums and sorts them
 * (docs/performance.md, "Where the CPU goes").
 */
import { appendFileSync, readdirSync, readFileSync } from "node:fs";
import { relative } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { procStat } from "./proc-cpu.js";

export const CPU_FILE_VARIABLE = "TEST_CPU_FILE";

interface Cpu {
  readonly worker: number;
  readonly children: number;
  readonly moto: number;
}

/** CPU seconds of the worker's running Python children (its moto: test/emulator/moto-process.ts). */
function motoSeconds(): number {
  let total = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const text = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === process.pid && text.includes("(python3")) total += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // gone between the listing and the read
    }
  }
  return total;
}

function now(): Cpu {
  const { self, children } = procStat("self");
  return { worker: self, children, moto: motoSeconds() };
}

const file = process.env[CPU_FILE_VARIABLE];
if (file) {
  let start: Cpu | undefined;
  beforeAll(() => {
    start = now();
  });
  afterAll(({}, suite) => {
    if (start === undefined) return;
    const end = now();
    const round = (seconds: number) => Math.round(seconds * 100) / 100;
    const line = { file: relative(process.cwd(), suite.file.filepath), worker: round(end.worker - start.worker), children: round(end.children - start.children), moto: round(end.moto - start.moto) };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  });
}
