/**
 * CPU seconds from /proc (Linux only), for the opt-in measurements of docs/performance.md ("Where the
 * CPU goes"): fields 14–17 of /proc/PID/stat are the user and system time of the process, then of its
 * waited-for children, in clock ticks (100 a second on Linux).
 */
import { readFileSync } from "node:fs";

export function procStat(pid: string): { readonly self: number; readonly children: number } {
  const text = readFileSync(`/proc/${pid}/stat`, "utf8");
  const [user = 0, system = 0, childUser = 0, childSystem = 0] = text.slice(text.lastIndexOf(")") + 2).split(" ").slice(11, 15).map((ticks) => Number(ticks) / 100);
  return { self: user + system, children: childUser + childSystem };
}
