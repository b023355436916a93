/**
 * moto's lifecycle: start `moto.server` as a child process on a free loopback port, wait until it
 * answers, and stop it again.
 *
 * The child is a tiny Python wrapper that runs moto's server in-process and calls `os._exit` as soon
 * as its stdin reaches EOF. Node holds the write end of that pipe, so when the Node parent dies for
 * any reason (even SIGKILL) the kernel closes the pipe and moto exits: no orphan is left behind.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { request } from "node:http";
import { createServer } from "node:net";

/**
 * The Python program run with `python3 -c` is WRAPPER_START, SNAPSHOTS, LOOKUP_CACHES,
 * RESET_WITHOUT_REBUILDING, KEEP_ALIVE_SERVER and WRAPPER_SERVE. It binds moto to port 0 itself (the kernel picks a free
 * port, so two emulators can never race for one) and prints `port N` on stdout. Exit code 3 = moto
 * missing.
 */
const WRAPPER_START = `
import os, sys
try:
    from moto.server import ThreadedMotoServer
except ImportError:
    sys.stderr.write("moto-missing\\n")
    sys.stderr.flush()
    os._exit(3)

`;

/**
 * Python run before the server starts, unless {@link StartMotoOptions.asShipped}: three things moto's
 * server works out again on every request although they depend only on its installed code
 * (docs/performance.md, "moto's own cost per request"), found once and kept:
 * - the werkzeug access log line (werkzeug logs requests at INFO, failures at ERROR: failures still
 *   reach stderr);
 * - the service a request is for: DomainDispatcherApplication.get_backend_for_host lists moto's
 *   package directories (a stat of each) and tries every service's URL patterns, for a host of the
 *   form "<service>.<region>.amazonaws.com" that the dispatcher builds from the request's signature
 *   (for an unsigned request, from its path or body): one entry per service and region named;
 * - a response class's action methods (method_names_from_class: inspect.getmembers of the class).
 */
const LOOKUP_CACHES = `
import logging
from moto.core import responses
from moto.moto_server import werkzeug_app

logging.getLogger("werkzeug").setLevel(logging.WARNING)

def kept(find):
    answers = {}
    def lookup(*args):
        key = args[-1]
        if key not in answers:
            answers[key] = find(*args)
        return answers[key]
    return lookup

werkzeug_app.DomainDispatcherApplication.get_backend_for_host = kept(werkzeug_app.DomainDispatcherApplication.get_backend_for_host)
method_names_as_shipped = responses.method_names_from_class
responses.method_names_from_class = kept(lambda clazz: frozenset(method_names_as_shipped(clazz)))
`;

/**
 * Python run before the server starts (unless {@link StartMotoOptions.asShipped}): snapshots of moto's state, which the emulator's front
 * takes and puts back (`POST /_sim/restore`, proxy.ts) so that a test's set-up, built once through the
 * API, is put back in a millisecond instead of being built again request by request
 * (docs/performance.md, "Set-ups put back from snapshots").
 *
 * moto keeps every resource in its backends: `BackendDict._instances` lists the BackendDicts in use
 * (one per service: account id → AccountSpecificBackend, region → backend object), and
 * `/moto-api/reset` empties them (moto/core/base_backend.py). A snapshot is a deep copy of the
 * contents of those in use; the BackendDicts themselves are module-level objects that moto's code
 * reaches by name, so they are kept (the copy's memo maps each to itself) and refilled in place on a
 * restore, from a new deep copy so that the snapshot stays as it was taken; what a BackendDict holds
 * besides its accounts (S3's `bucket_accounts`) is copied with it. A lock inside a backend is
 * copied as a new lock. A defaultdict subclass with an `__init__` of its own (SSM's ParameterDict) is
 * copied member by member: copy's generic way would call its `__init__` with the wrong arguments.
 * EC2's SecurityGroupRule has a `__deepcopy__` that keeps its `ec2_backend` (moto/ec2/models/
 * security_groups.py): here it is copied with the rest, or the restored rule would read and write its
 * tags in the emptied backend of the recording. A snapshot refuses EC2 instances: a subnet hands out
 * addresses from an iterator cached per subnet object (`Subnet._base_avail_ip_iterator`,
 * moto/ec2/models/subnets.py), which a copy cannot carry on from. Both run under moto's backend lock,
 * which moto does not take while it serves a request: the front takes and restores snapshots only
 * with no request of its own to moto in flight (proxy.ts). A copy of a model is also listed in
 * moto's `instances_tracked` (`/moto-api/data.json` shows it twice until the next reset; nothing
 * here reads that). Reviewed against moto 5.2.1's source, with experiments for each service the
 * tests use (docs/emulator.md, "Snapshots").
 *
 * `POST /_emulator/snapshot/<name>` takes one; `POST /_emulator/restore/<name>` puts it back (404 if
 * none was taken under that name).
 */
const SNAPSHOTS = `
import copy, threading, copyreg
from collections import defaultdict
from moto.core import base_backend
from moto.moto_server import werkzeug_app

for lock in (threading.Lock(), threading.RLock()):
    copyreg.pickle(type(lock), lambda _lock, make=type(lock): (make, ()))

def copy_defaultdict(value, memo):
    result = type(value).__new__(type(value))
    memo[id(value)] = result
    defaultdict.__init__(result, value.default_factory)
    result.__dict__.update(copy.deepcopy(value.__dict__, memo))
    for key, item in value.items():
        dict.__setitem__(result, copy.deepcopy(key, memo), copy.deepcopy(item, memo))
    return result

def own_init_defaultdicts(cls=defaultdict):
    for sub in cls.__subclasses__():
        if "__init__" in sub.__dict__:
            yield sub
        yield from own_init_defaultdicts(sub)

def copy_plainly(value, memo):
    result = type(value).__new__(type(value))
    memo[id(value)] = result
    result.__dict__.update(copy.deepcopy(value.__dict__, memo))
    return result

try:
    from moto.ec2.models.security_groups import SecurityGroupRule
    copy._deepcopy_dispatch[SecurityGroupRule] = copy_plainly
except ImportError:
    pass

def backend_copy(dicts, contents):
    for cls in own_init_defaultdicts():
        copy._deepcopy_dispatch.setdefault(cls, copy_defaultdict)
    return copy.deepcopy(contents, {id(d): d for d in dicts})

snapshots = {}

# What a BackendDict holds besides its accounts: S3's bucket_accounts, Organizations' master_accounts.
BACKEND_DICT_FIELDS = ("backend", "service_name", "_use_boto3_regions", "_additional_regions", "_id")

def extras(d):
    return {key: value for key, value in vars(d).items() if key not in BACKEND_DICT_FIELDS}

def take_snapshot(name):
    with base_backend.backend_lock:
        dicts = list(dict.fromkeys(base_backend.BackendDict._instances))
        for d in dicts:
            for _account, _region, backend in d.iter_backends():
                if getattr(backend, "reservations", None) and d.service_name == "ec2":
                    raise ValueError("a snapshot cannot hold EC2 instances (their subnets' address iterators cannot be copied)")
        snapshots[name] = (dicts, backend_copy(dicts, [(dict(d), extras(d)) for d in dicts]))

def restore_snapshot(name):
    dicts, contents = snapshots[name]
    with base_backend.backend_lock:
        fresh = backend_copy(dicts, contents)
        for d in base_backend.BackendDict._instances:
            dict.clear(d)
        base_backend.BackendDict._instances.clear()
        for d, (content, fields) in zip(dicts, fresh):
            dict.update(d, content)
            vars(d).update(fields)
            base_backend.BackendDict._instances.append(d)

dispatch_as_shipped = werkzeug_app.DomainDispatcherApplication.__call__

def dispatch(self, environ, start_response):
    path = environ.get("PATH_INFO", "")
    for prefix, act in (("/_emulator/snapshot/", take_snapshot), ("/_emulator/restore/", restore_snapshot)):
        if path.startswith(prefix) and environ.get("REQUEST_METHOD") == "POST":
            name = path[len(prefix):]
            if act is restore_snapshot and name not in snapshots:
                start_response("404 Not Found", [("Content-Type", "text/plain")])
                return [b"no snapshot " + name.encode()]
            try:
                act(name)
            except ValueError as error:
                start_response("409 Conflict", [("Content-Type", "text/plain")])
                return [str(error).encode()]
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
    return dispatch_as_shipped(self, environ, start_response)

werkzeug_app.DomainDispatcherApplication.__call__ = dispatch
`;

/**
 * Python run before the server starts, unless {@link StartMotoOptions.asShipped}: moto's reset without
 * the rebuilding it throws away. `BackendDict.reset` (moto/core/base_backend.py) calls `reset()` on
 * every region's backend, which for a backend that does not override it (`BaseBackend.reset`) empties
 * it and runs its `__init__` again (EC2's builds a default VPC and subnets), and then drops every
 * backend from its BackendDict, so the rebuilt ones are never used: the next request builds its
 * backend anew. This drops them without rebuilding them; a backend whose class has a `reset` of its
 * own (S3's closes its files, Batch's stops its threads) still gets it. 65 → 3 ms of moto's CPU per
 * reset after a seed that reached EC2 (docs/performance.md, "Set-ups put back from snapshots").
 */
const RESET_WITHOUT_REBUILDING = `
from moto.core import base_backend

def reset_without_rebuilding(cls):
    with base_backend.backend_lock:
        for backend in cls._instances:
            for account_specific in backend.values():
                for regional in account_specific.values():
                    if type(regional).reset is not base_backend.BaseBackend.reset:
                        regional.reset()
            backend.clear()
        cls._instances.clear()

base_backend.BackendDict.reset = classmethod(reset_without_rebuilding)
`;

/**
 * Python run before the server starts, unless {@link StartMotoOptions.asShipped}: moto's app served
 * with keep-alive connections. werkzeug's development server, which moto.server runs, answers every
 * request with `Connection: close` and then waits up to 10 ms for more of the request body before it
 * closes (werkzeug/serving.py, WSGIRequestHandler.run_wsgi): each request the front forwards is a
 * new TCP connection and a new thread on both sides. This handler is werkzeug's own (the same WSGI
 * environ: make_environ) but for run_wsgi, which reads the body by its Content-Length, calls the app,
 * and answers with a Content-Length and no `Connection: close` unless the client asked for it, so a
 * connection carries request after request (HTTP/1.1 persistent connections:
 * https://www.rfc-editor.org/rfc/rfc9112#section-9.3). A body that cannot be framed gets 400 and the
 * connection closed (section 6.3); an exception in the app is answered as werkzeug answers it, 500
 * Internal Server Error, with its traceback on stderr. docs/performance.md ("Keep-alive to moto") has
 * the measurements.
 */
const KEEP_ALIVE_SERVER = `
import io, socket, threading, traceback
from werkzeug.exceptions import InternalServerError
from werkzeug.serving import WSGIRequestHandler, make_server
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

class KeepAliveHandler(WSGIRequestHandler):
    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def run_wsgi(self):
        environ = self.make_environ()
        try:
            if environ.get("wsgi.input_terminated"):
                body = environ["wsgi.input"].read()
            else:
                length = int(environ.get("CONTENT_LENGTH") or 0)
                body = self.rfile.read(length) if length > 0 else b""
        except (ValueError, OSError):
            # A body that cannot be framed (RFC 9112 section 6.3): 400, and the connection is closed.
            self.send_error(400, "Bad request body framing")
            return
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            status, headers, payload = self.answer(self.server.app, environ)
        except Exception:
            traceback.print_exc()
            status, headers, payload = self.answer(InternalServerError(), environ)
        code, _, message = status.partition(" ")
        code = int(code)
        # HEAD and 304 answer with the length the full answer would have (moto's); 1xx and 204 with none.
        keeps_length = self.command == "HEAD" or code == 304
        bodiless = keeps_length or 100 <= code < 200 or code == 204
        self.send_response(code, message)
        for name, value in headers:
            lowered = name.lower()
            if lowered in ("connection", "keep-alive", "transfer-encoding") or (lowered == "content-length" and not keeps_length):
                continue
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        elif self.request_version == "HTTP/1.0":
            self.send_header("Connection", "keep-alive")
        if bodiless:
            self.end_headers()
            return
        self.send_header("Content-Length", str(len(payload)))
        buffer = getattr(self, "_headers_buffer", None)
        if buffer is None:  # HTTP/0.9: no head
            self.wfile.write(payload)
            return
        # Head and body in one write: two small writes on a kept connection can wait for a delayed ACK.
        buffer.append(b"\\r\\n" + payload)
        self.flush_headers()

    def answer(self, app, environ):
        started = []
        chunks = []
        def start_response(status, headers, exc_info=None):
            started[:] = [status, headers]
            return chunks.append
        result = app(environ, start_response)
        try:
            for data in result:
                chunks.append(data)
        finally:
            if hasattr(result, "close"):
                result.close()
        return started[0], started[1], b"".join(chunks)

def serve():
    server = make_server("127.0.0.1", 0, DomainDispatcherApplication(create_backend_app), threaded=True, request_handler=KeepAliveHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]
`;

/** moto's own server (moto.server's ThreadedMotoServer) for {@link StartMotoOptions.asShipped}. */
const SHIPPED_SERVER = `
def serve():
    server = ThreadedMotoServer("127.0.0.1", 0, verbose=False)
    server.start()
    return server.get_host_and_port()[1]
`;

const WRAPPER_SERVE = `sys.stdout.write("port %d\\n" % serve())
sys.stdout.flush()
try:
    while sys.stdin.buffer.read(65536):
        pass
finally:
    os._exit(0)
`;

const MOTO_MISSING_EXIT_CODE = 3;
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

/** Environment variable that overrides the Python interpreter used to run moto. */
export const PYTHON_ENV_VARIABLE = "ECS_RELEASE_EMULATOR_PYTHON";

/** Raised when Python or moto cannot be found; its message is a one-line instruction. */
export class MotoNotInstalledError extends Error {
  override readonly name = "MotoNotInstalledError";
  constructor(readonly python: string, options?: ErrorOptions) {
    super(`moto is not installed: run pip install "moto[server]" (needs Python 3; tried ${python})`, options);
  }
}

/** Raised when moto starts but never answers, or exits early for another reason. */
export class MotoStartError extends Error {
  override readonly name = "MotoStartError";
}

/** A running moto server. */
export interface MotoProcess {
  /** Loopback port moto listens on. */
  readonly port: number;
  /** Process id of the Python child. */
  readonly pid: number;
  /** Stop moto; resolves once the process has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** Options for {@link startMoto}. */
export interface StartMotoOptions {
  /** Python interpreter; defaults to `$ECS_RELEASE_EMULATOR_PYTHON` or `python3`. */
  python?: string;
  /**
   * moto's server as shipped, without {@link LOOKUP_CACHES}, {@link RESET_WITHOUT_REBUILDING} and
   * {@link KEEP_ALIVE_SERVER} (to measure them: scripts/bench/moto-cost.ts), and so without
   * {@link SNAPSHOTS} either (its dispatcher is moto's own).
   */
  asShipped?: boolean;
}

/**
 * A free TCP port on 127.0.0.1 for `--port`, below Linux's ephemeral range (/proc/sys/net/ipv4/
 * ip_local_port_range, 32768–60999 by default): a port the OS picks for port 0 comes from that range,
 * which every outgoing connection also draws from, so between this check and the emulator's listen
 * another process's connection could take it (the suite's clients open thousands of connections).
 * Tried at random in 20000–32767 until one binds.
 */
export async function findFreePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_768);
    if (await bindsOn(port)) return port;
  }
  throw new Error("no free port in 20000-32767 on 127.0.0.1");
}

function bindsOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** Start moto on a free loopback port and wait until it answers HTTP requests. */
export async function startMoto(options: StartMotoOptions = {}): Promise<MotoProcess> {
  const python = options.python ?? process.env[PYTHON_ENV_VARIABLE] ?? "python3";
  const child = spawn(python, ["-c", WRAPPER_START + (options.asShipped === true ? SHIPPED_SERVER : SNAPSHOTS + LOOKUP_CACHES + RESET_WITHOUT_REBUILDING + KEEP_ALIVE_SERVER) + WRAPPER_SERVE], {
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, PYTHONUNBUFFERED: "1" },
  });
  let stderrTail = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-4000);
  });
  // The pipe must never crash the parent when moto has already gone.
  child.stdin?.on("error", () => undefined);

  const exited = new Promise<{ code: number | null; spawnError?: Error }>((resolve) => {
    child.once("error", (spawnError) => resolve({ code: null, spawnError }));
    child.once("exit", (code) => resolve({ code }));
  });

  const polling = { cancelled: false };
  let outcome: { port: number } | { code: number | null; spawnError?: Error };
  try {
    outcome = await Promise.race([
      readPort(child).then(async (port) => {
        await waitUntilAnswering(port, polling);
        return { port };
      }),
      exited.then((result) => result),
    ]);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  } finally {
    polling.cancelled = true;
  }
  if (!("port" in outcome)) {
    if (outcome.spawnError !== undefined || outcome.code === MOTO_MISSING_EXIT_CODE) {
      throw new MotoNotInstalledError(python, { cause: outcome.spawnError });
    }
    throw new MotoStartError(`moto exited with code ${String(outcome.code)}: ${lastLine(stderrTail)}`);
  }
  if (child.pid === undefined) throw new MotoStartError("moto has no process id");
  child.stdout?.resume();
  return { port: outcome.port, pid: child.pid, stop: () => stopChild(child, exited) };
}

/** Reads the `port N` line the wrapper prints once moto is bound. */
function readPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffered = "";
    const timer = setTimeout(() => reject(new MotoStartError(`moto did not start within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", function onData(chunk: string) {
      buffered += chunk;
      const match = /^port (\d+)$/m.exec(buffered);
      if (!match) return;
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      resolve(Number(match[1]));
    });
  });
}

function lastLine(text: string): string {
  const lines = text.trim().split("\n");
  return lines[lines.length - 1] ?? "";
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.stdin?.end();
  child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), STOP_TIMEOUT_MS);
  });
  const result = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (result === "timeout") {
    child.kill("SIGKILL");
    await exited;
  }
}

async function waitUntilAnswering(port: number, polling: { cancelled: boolean }): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && !polling.cancelled) {
    if (await answers(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (polling.cancelled) return;
  throw new MotoStartError(`moto did not answer on port ${port} within ${READY_TIMEOUT_MS} ms`);
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path: "/moto-api/", method: "GET", timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}
