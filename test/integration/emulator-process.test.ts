import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { ListClustersCommand } from "@aws-sdk/client-ecs";
import { findFreePort } from "../emulator/moto-process.js";
import { awsClients } from "../helpers/emulator.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const started: ChildProcess[] = [];

afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

interface Launched {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function launch(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Launched {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  started.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exit };
}

/** Resolves with the first stdout line once it is complete (or rejects if the process exits first). */
function firstLine(launched: Launched): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const text = launched.stdout();
      if (text.includes("\n")) resolve(text.slice(0, text.indexOf("\n")));
    };
    launched.child.stdout?.on("data", check);
    void launched.exit.then(({ code }) => reject(new Error(`exited ${String(code)} before ready: ${launched.stderr()}`)));
  });
}

interface ProcessRow {
  pid: number;
  ppid: number;
  stat: string;
  args: string;
}

function processTable(): ProcessRow[] {
  return execFileSync("ps", ["-eo", "pid=,ppid=,stat=,args="], { encoding: "utf8" })
    .split("\n")
    .flatMap((line) => {
      const match = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line);
      return match === null ? [] : [{ pid: Number(match[1]), ppid: Number(match[2]), stat: match[3] ?? "", args: match[4] ?? "" }];
    });
}

/** `pid` and all its descendants. */
function family(pid: number): ProcessRow[] {
  const table = processTable();
  const members = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const row of table) {
      if (members.has(row.ppid) && !members.has(row.pid)) {
        members.add(row.pid);
        grew = true;
      }
    }
  }
  return table.filter((row) => members.has(row.pid));
}

/** The moto processes among the descendants of `pid`. */
function motoDescendants(pid: number): number[] {
  return family(pid)
    .filter((row) => row.args.includes("moto.server"))
    .map((row) => row.pid);
}

function alive(pid: number): boolean {
  const row = processTable().find((candidate) => candidate.pid === pid);
  return row !== undefined && !row.stat.startsWith("Z");
}

/** Wait (bounded) until the process is gone or a zombie. */
async function waitGone(pid: number, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !alive(pid);
}

const SCRIPT = [process.execPath, ["--import", "tsx", "scripts/emulator.ts"]] as const;

describe("npm run emulator", () => {
  // SIGTERM runs on a port chosen here (the ready line must name it); SIGINT on --port 0, so only one
  // test has the small window in which another process could take a port found free.
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`prints the ready line, answers, and after ${signal} exits 0 leaving no moto behind`, async () => {
      const port = signal === "SIGTERM" ? await findFreePort() : 0;
      const emulator = launch(SCRIPT[0], [...SCRIPT[1], "--port", String(port)]);
      const ready = await firstLine(emulator);
      if (port !== 0) expect(ready).toBe(`ready http://127.0.0.1:${port}`);
      expect(ready).toMatch(/^ready http:\/\/127\.0\.0\.1:[1-9]\d*$/);
      const moto = motoDescendants(emulator.child.pid ?? -1);
      expect(moto).toHaveLength(1);
      const { clusterArns } = await awsClients({ url: ready.slice("ready ".length) }).ecs.send(new ListClustersCommand({}));
      expect(clusterArns).toEqual([]);

      emulator.child.kill(signal);
      expect(await emulator.exit).toEqual({ code: 0, signal: null });
      expect(await waitGone(moto[0] ?? -1)).toBe(true);
      expect(emulator.stderr()).toBe("");
    });
  }

  it("runs through npm: exact ready line on stdout; SIGTERM to npm and Ctrl-C to the group stop moto", async () => {
    for (const stop of ["SIGTERM to npm", "SIGINT to the process group"] as const) {
      const child = spawn("npm", ["run", "--silent", "emulator", "--", "--port", "0"], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      });
      started.push(child);
      let stdout = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
      const exit = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      const pid = child.pid ?? -1;
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", () => stdout.includes("\n") && resolve());
        void exit.then(() => reject(new Error("npm exited before ready")));
      });
      expect(stdout).toMatch(/^ready http:\/\/127\.0\.0\.1:[1-9]\d*\n$/);
      const tree = family(pid);
      expect(tree.filter((row) => row.args.includes("moto.server"))).toHaveLength(1);
      if (stop === "SIGTERM to npm") process.kill(pid, "SIGTERM");
      else process.kill(-pid, "SIGINT");
      await exit;
      // npm, sh, tsx, node and moto: every process of the tree goes away.
      for (const row of tree) expect(await waitGone(row.pid), `${stop}: ${row.args}`).toBe(true);
    }
  });

  it("leaves no moto behind when its parent is SIGKILLed", async () => {
    const emulator = launch(SCRIPT[0], [...SCRIPT[1], "--port", "0"]);
    expect(await firstLine(emulator)).toMatch(/^ready http:\/\/127\.0\.0\.1:\d+$/);
    const moto = motoDescendants(emulator.child.pid ?? -1);
    expect(moto).toHaveLength(1);
    expect(alive(moto[0] ?? -1)).toBe(true);

    emulator.child.kill("SIGKILL");
    await emulator.exit;
    expect(await waitGone(moto[0] ?? -1)).toBe(true);
  });

  it.each([
    ["an interpreter override that does not exist", { ECS_RELEASE_EMULATOR_PYTHON: "/nonexistent/python3" }],
    ["no python3 on PATH", { PATH: "/nonexistent" }],
  ])("prints one line and exits non-zero with %s", async (_label, overrides) => {
    const emulator = launch(SCRIPT[0], [...SCRIPT[1], "--port", "0"], { ...process.env, ...overrides });
    const { code } = await emulator.exit;
    expect(code).not.toBe(0);
    expect(emulator.stdout()).toBe("");
    const lines = emulator.stderr().trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^moto is not installed: run pip install "moto\[server\]" \(needs Python 3/);
  });
});
