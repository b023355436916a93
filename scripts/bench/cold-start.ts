/** Benchmark (4): `ecs-release --version` against `node -e 0`, interleaved, as a ratio of medians. */
import { spawnSync } from "node:child_process";
import { BUNDLE } from "./cli-process.js";
import { median } from "./stats.js";

/** Both series and the ratio of their medians. */
export interface ColdStart {
  readonly nodeMs: number[];
  readonly versionMs: number[];
  readonly helpMs: number[];
  readonly ratio: number;
  readonly helpRatio: number;
}

function timeSpawn(args: readonly string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(" ")} exited ${result.status}: ${result.stderr.toString()}`);
  return ms;
}

/** `runs` of each, interleaved (node, --version, --help, node, …), after one warm-up of each. */
export function measureColdStart(runs: number): ColdStart {
  const node = ["-e", "0"];
  const version = [BUNDLE, "--version"];
  const help = [BUNDLE, "--help"];
  for (const args of [node, version, help]) timeSpawn(args); // warm the page cache
  const nodeMs: number[] = [];
  const versionMs: number[] = [];
  const helpMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    nodeMs.push(timeSpawn(node));
    versionMs.push(timeSpawn(version));
    helpMs.push(timeSpawn(help));
  }
  return { nodeMs, versionMs, helpMs, ratio: median(versionMs) / median(nodeMs), helpRatio: median(helpMs) / median(nodeMs) };
}
