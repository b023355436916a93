/**
 * fast-check with a seed that can be replayed. A failing property's error names its seed and
 * counterexample path and the command that runs exactly that case again:
 *   FC_SEED=<seed> FC_PATH=<path> npx vitest run <file> -t "<test>"
 * With FC_SEED (and FC_PATH) set, every property runs with that seed (and jumps to that path).
 */
import fc from "fast-check";

/** The replay settings from FC_SEED / FC_PATH, when set. */
export function replaySettings(env: NodeJS.ProcessEnv = process.env): { seed?: number; path?: string } {
  const seed = env["FC_SEED"] === undefined || env["FC_SEED"] === "" ? undefined : Number(env["FC_SEED"]);
  if (seed !== undefined && !Number.isInteger(seed)) throw new Error(`FC_SEED must be an integer (the seed a failing property printed), not ${env["FC_SEED"]}`);
  const path = env["FC_PATH"] || undefined;
  return { ...(seed === undefined ? {} : { seed }), ...(path === undefined ? {} : { path }) };
}

/** The message of a failed run: fast-check's report, then how to replay it. */
export function replayMessage(details: fc.RunDetails<unknown>): string {
  return `${fc.defaultReportMessage(details) ?? "property failed"}\nReplay this case: FC_SEED=${details.seed} FC_PATH=${details.counterexamplePath ?? ""} npx vitest run <this file> -t "<this test>"`;
}

/** fc.assert, with the seed replayable (see the module comment). */
export function assertProperty<Ts extends [unknown, ...unknown[]]>(property: fc.IProperty<Ts>, parameters: fc.Parameters<Ts> = {}): void {
  const details = fc.check(property, { ...parameters, ...replaySettings() });
  if (details.failed) throw new Error(replayMessage(details as fc.RunDetails<unknown>), { cause: details.errorInstance });
}
