/**
 * The local AWS emulator (shared/spec/emulator.md): moto behind a small HTTP front that simulates
 * ECS rollouts and one-off tasks, with rules, faults, a call log and reset. Tests, the demo and the
 * benchmark start it through {@link startEmulator}; `npm run emulator` wraps the same function.
 */
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { startMoto } from "./moto-process.js";
import { EmulatorProxy, type CallLogEntry, type SimFault } from "./proxy.js";
import type { ConsistencySettings, JsonObject, SimRule, TaskRecord } from "./ecs-simulation.js";
import type { StsSession } from "./sts.js";

export type { CallLogEntry, SimFault } from "./proxy.js";
export type { ConsistencySettings, SimRule, TaskRecord } from "./ecs-simulation.js";
export type { StsSession } from "./sts.js";
export { MotoNotInstalledError, MotoStartError, PYTHON_ENV_VARIABLE } from "./moto-process.js";

/** A running emulator. Control methods go through the HTTP control API on the same port. */
export interface Emulator {
  /** Base URL, e.g. "http://127.0.0.1:4566"; use it as AWS_ENDPOINT_URL. */
  url: string;
  /** Port the emulator listens on. */
  port: number;
  /** Process id of the moto child process. */
  motoPid: number;
  /** Reset moto and the simulator: resources, rules, faults and the call log. */
  reset(): Promise<void>;
  /**
   * Put back the snapshot `name` (`POST /_sim/restore`): moto's resources and the front's state (the
   * simulation, rules, settings, the clock, the call log) as they were when it was taken, and the value
   * stored with it. Only on an emulator that nothing has called or changed since its last reset; a
   * fresh emulator without that snapshot starts recording it, for {@link snapshot} to take.
   */
  restore(name: string): Promise<{ restored: true; value: unknown } | { restored: false; recording: boolean }>;
  /** Take the snapshot `name` that {@link restore} started recording, storing `value` with it (`POST /_sim/snapshot`). */
  snapshot(name: string, value: unknown): Promise<void>;
  /** Add a simulation rule (`POST /_sim/rules`); the newest matching rule wins. */
  addRule(rule: SimRule): Promise<void>;
  /** Add a fault (`POST /_sim/faults`). */
  addFault(fault: SimFault): Promise<void>;
  /** Remove all faults (`POST /_sim/faults {"clear": true}`). */
  clearFaults(): Promise<void>;
  /**
   * Change how eventually consistent ECS is (`POST /_sim/consistency`): stale DescribeServices reads
   * after UpdateService (default 1, 0–3), tags one read late (default off). Reset restores the defaults.
   */
  setConsistency(settings: Partial<ConsistencySettings>): Promise<ConsistencySettings>;
  /** Turn off (or on again) the failing of deployments whose ECR image is missing (`POST /_sim/images`; on by default). */
  setMissingImagesFail(on: boolean): Promise<void>;
  /**
   * Every AWS call takes at least `ms`: answered no earlier than that after it arrived (`POST /_sim/latency`;
   * reset puts it back to 0), a round trip's stand-in; and a connection opened from now on takes
   * `connectionMs` before its first call arrives (the TCP and TLS handshakes' stand-in; default 0).
   */
  setLatency(ms: number, connectionMs?: number): Promise<void>;
  /** Auto scaling: set a service's desiredCount as Application Auto Scaling would (`POST /_sim/scale`). */
  autoScale(cluster: string, service: string, desiredCount: number): Promise<void>;
  /** AWS calls received since the last reset (`GET /_sim/log`). */
  callLog(): Promise<CallLogEntry[]>;
  /**
   * Every request the front sent to moto since the emulator started (resets do not clear it), by
   * "service Operation": how many and their milliseconds (`GET /_sim/moto-calls`).
   */
  motoCalls(): Promise<MotoCallCounts>;
  /** RunTask requests received since the last reset, by task ARN (`GET /_sim/tasks`). */
  tasks(): Promise<TaskRecord[]>;
  /**
   * The environment the tasks of a service's current (PRIMARY) deployment started with, by container:
   * inline values and Secrets Manager references resolved as ECS does at task start; null when unknown.
   */
  serviceEnvironment(clusterArn: string, service: string): Promise<Record<string, Record<string, string>> | null>;
  /** The simulated clock, epoch ms (`GET /_sim/clock`); STS token and credential expiry use it. */
  clock(): Promise<number>;
  /** The sessions STS handed out since the last reset: access key id → role (`GET /_sim/sessions`). */
  sessions(): Promise<StsSession[]>;
  /** Move the simulated clock forward (`POST /_sim/clock {"advanceSeconds": n}`); returns the new now. */
  advanceClock(seconds: number): Promise<number>;
  /** Stop the HTTP front and moto; resolves when moto has exited. */
  stop(): Promise<void>;
}

/** Requests sent to moto by "service Operation" (`GET /_sim/moto-calls`). */
export type MotoCallCounts = Record<string, { count: number; ms: number }>;

/** Options for {@link startEmulator}. */
export interface StartEmulatorOptions {
  /** Port on 127.0.0.1; 0 or undefined picks a free one. */
  port?: number;
  /** Python interpreter for moto; defaults to `$ECS_RELEASE_EMULATOR_PYTHON` or `python3`. */
  python?: string;
  /** moto's server as shipped (StartMotoOptions.asShipped in moto-process.ts). */
  motoAsShipped?: boolean;
}

async function control(url: string, method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { "content-type": "application/json" };
  }
  const response = await fetch(`${url}${path}`, init);
  const json: unknown = await response.json();
  if (!response.ok) {
    const message = typeof json === "object" && json !== null && "error" in json ? String(json.error) : response.statusText;
    throw new Error(`${method} ${path} failed: ${message}`);
  }
  return json;
}

/**
 * Start moto and the emulator front. Rejects with {@link MotoNotInstalledError} when Python or moto
 * is missing.
 */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<Emulator> {
  const moto = await startMoto({
    ...(options.python === undefined ? {} : { python: options.python }),
    ...(options.motoAsShipped === undefined ? {} : { asShipped: options.motoAsShipped }),
  });
  const proxy = new EmulatorProxy(moto.port);
  try {
    proxy.server.listen(options.port ?? 0, "127.0.0.1");
    await once(proxy.server, "listening");
  } catch (error) {
    await moto.stop();
    throw error;
  }
  const port = (proxy.server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  let stopped: Promise<void> | undefined;
  return {
    url,
    port,
    motoPid: moto.pid,
    reset: async () => {
      await control(url, "POST", "/_sim/reset");
    },
    restore: async (name) => (await control(url, "POST", "/_sim/restore", { name })) as { restored: true; value: unknown } | { restored: false; recording: boolean },
    snapshot: async (name, value) => {
      await control(url, "POST", "/_sim/snapshot", { name, value });
    },
    addRule: async (rule) => {
      await control(url, "POST", "/_sim/rules", rule);
    },
    addFault: async (fault) => {
      await control(url, "POST", "/_sim/faults", fault);
    },
    clearFaults: async () => {
      await control(url, "POST", "/_sim/faults", { clear: true });
    },
    setConsistency: async (settings) => (await control(url, "POST", "/_sim/consistency", settings)) as ConsistencySettings,
    setMissingImagesFail: async (on) => {
      await control(url, "POST", "/_sim/images", { missingImagesFail: on });
    },
    setLatency: async (ms, connectionMs = 0) => {
      await control(url, "POST", "/_sim/latency", { ms, connectionMs });
    },
    autoScale: async (cluster, service, desiredCount) => {
      await control(url, "POST", "/_sim/scale", { cluster, service, desiredCount });
    },
    callLog: async () => (await control(url, "GET", "/_sim/log")) as CallLogEntry[],
    motoCalls: async () => (await control(url, "GET", "/_sim/moto-calls")) as MotoCallCounts,
    tasks: async () => (await control(url, "GET", "/_sim/tasks")) as TaskRecord[],
    serviceEnvironment: async (clusterArn, service) =>
      (await control(url, "GET", `/_sim/environment?cluster=${encodeURIComponent(clusterArn)}&service=${encodeURIComponent(service)}`)) as Record<string, Record<string, string>> | null,
    clock: async () => ((await control(url, "GET", "/_sim/clock")) as { now: number }).now,
    sessions: async () => (await control(url, "GET", "/_sim/sessions")) as StsSession[],
    advanceClock: async (seconds) => ((await control(url, "POST", "/_sim/clock", { advanceSeconds: seconds })) as { now: number }).now,
    stop: () => {
      stopped ??= (async () => {
        const closed = new Promise<void>((resolve) => proxy.server.close(() => resolve()));
        proxy.server.closeAllConnections();
        await closed;
        proxy.closeMotoConnections();
        await moto.stop();
      })();
      return stopped;
    },
  };
}

export type { JsonObject };
