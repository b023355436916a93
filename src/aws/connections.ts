/**
 * A client's connections, opened before its requests need them.
 *
 * The SDK keeps its connections (an `https.Agent` with keepAlive, one per client:
 * https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/node-reusing-connections.html) and
 * opens a new one for each request made while the others are busy. A new connection to AWS first costs
 * a TCP handshake and a TLS one
 * (https://aws.amazon.com/blogs/developer/http-keep-alive-is-on-by-default-in-modular-aws-sdk-for-javascript/;
 * a round trip with TLS 1.3, which every AWS service endpoint supports:
 * https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/doc-history.html, 2025-04-10),
 * so reads made together after a call pay them all at once, after that call answered. `openAhead`
 * opens their connections while it is in flight. The clients are built with agents that can (given
 * as the SDK's documentation gives a client its agents: `requestHandler`'s `httpAgent`/`httpsAgent`),
 * and the agents hand those connections to their next requests through `createConnection`, which
 * Node's documentation has custom agents override
 * (https://nodejs.org/api/http.html#agentcreateconnectionoptions-callback). A connection opened ahead
 * and never used costs its handshakes and nothing else: it does not hold the process open; one that
 * closes meanwhile is passed over.
 */
import type { EndpointParameterInstructionsSupplier } from "@smithy/core/endpoints";
import { Agent as HttpAgent, type ClientRequestArgs } from "node:http";
import { Agent as HttpsAgent, type AgentOptions as HttpsAgentOptions } from "node:https";
import { isIP, type NetConnectOpts, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { TLSSocket } from "node:tls";
import type { AwsClients, LazyClient, RequestAgents } from "./clients.js";

/** The most connections one `openAhead` opens. */
export const MOST_AHEAD = 10;
/** A connection opened ahead and not used within this long is closed (the command that wanted it has moved on). */
export const SPARE_IDLE_MS = 10_000;

/**
 * Every ECS, ECR and Secrets Manager operation's endpoint parameters, as the SDK resolves them for a
 * request: the client's region, FIPS, dual-stack and configured endpoint (the packages'
 * endpoint/EndpointParameters.ts).
 */
const ENDPOINT_PARAMETERS: EndpointParameterInstructionsSupplier = {
  getEndpointParameterInstructions: () => ({
    UseFIPS: { type: "builtInParams", name: "useFipsEndpoint" },
    Endpoint: { type: "builtInParams", name: "endpoint" },
    Region: { type: "builtInParams", name: "region" },
    UseDualStack: { type: "builtInParams", name: "useDualstackEndpoint" },
  }),
};

/**
 * Opens connections for the next requests of `aws.ecs`, `aws.ecr` and `aws.secretsManager` (`wanted`,
 * at most MOST_AHEAD each) to their endpoints as the SDK resolves them. Call it before the clients are
 * first used: they are then built with agents that can open them (AwsClients#agents); a client built
 * before keeps the SDK's agents, and what is opened for it goes unused. Secrets Manager's client,
 * whose module is loaded on its first use (clients.ts, LazyClient), is built only once ECS's first
 * request has been written: once its connection is established (a request on a connection still
 * connecting waits in its buffer, and loading a module then would hold it back). Never fails:
 * clients without the slots are left as they are, and a connection not opened is opened by its request.
 */
export function openAhead(aws: Pick<AwsClients, "ecs" | "ecr" | "secretsManager" | "agents">, wanted: { readonly ECS?: number; readonly ECR?: number; readonly SECRETS_MANAGER?: number }): void {
  const slots = aws.agents;
  if (slots === undefined) return;
  const open = (agents: AgentsAhead, client: unknown, count: number): void => {
    const { config } = client as { config?: object };
    // A copy, as the SDK's endpoint middleware passes: the resolution may set an endpoint on what it is given.
    // The SDK's endpoint resolution is imported here, not with this module: rollback's early read
    // (early-read.ts) opens connections before the SDK loads.
    if (config !== undefined)
      import("@smithy/core/endpoints")
        .then(({ getEndpointFromInstructions }) => getEndpointFromInstructions({}, ENDPOINT_PARAMETERS, { ...config }))
        .then((endpoint) => agents.openAhead(endpoint.url, count))
        .catch(ignore);
  };
  // The slot's agents when they are (or are now made) AgentsAhead and some are wanted; else none.
  const slot = (service: keyof typeof wanted): AgentsAhead | undefined => {
    if ((wanted[service] ?? 0) <= 0) return undefined;
    const agents = (slots[service] ??= new AgentsAhead());
    return agents instanceof AgentsAhead ? agents : undefined;
  };
  const ecs = slot("ECS");
  if (ecs !== undefined) open(ecs, aws.ecs, wanted.ECS ?? 0);
  const ecr = slot("ECR");
  if (ecr !== undefined) open(ecr, aws.ecr, wanted.ECR ?? 0);
  const sdk = (aws.secretsManager as Partial<LazyClient<{ send: unknown }>> | undefined)?.sdk;
  const secretsManager = sdk === undefined ? undefined : slot("SECRETS_MANAGER");
  if (sdk !== undefined && secretsManager !== undefined) {
    const build = (): void => void sdk().then((client) => open(secretsManager, client, wanted.SECRETS_MANAGER ?? 0)).catch(ignore);
    // The request is written when its connection is established (the listener that writes it comes after this one), then this.
    if (ecs !== undefined) ecs.onFirstConnection((socket) => whenEstablished(socket, () => setImmediate(build)));
    else setImmediate(build);
  }
}

/**
 * A client's HTTP and HTTPS agents (the SDK's defaults: keepAlive, at most 50 sockets per host, and
 * `tls` for the HTTPS one), able to open connections ahead.
 */
export class AgentsAhead implements RequestAgents {
  readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 50 });
  readonly httpsAgent: HttpsAgent;
  /** Connections opened ahead and not yet used, by origin (`scheme://host:port`). */
  private readonly spares = new Map<string, Socket[]>();
  /** Called when either agent gives its first request a connection (onFirstConnection). */
  private firstConnection: ((socket: Socket) => void) | undefined;

  constructor(tls: HttpsAgentOptions = {}) {
    this.httpsAgent = new HttpsAgent({ ...tls, keepAlive: true, maxSockets: 50 });
    for (const agent of [this.httpAgent, this.httpsAgent]) {
      const create = agent.createConnection.bind(agent);
      const scheme = agent === this.httpsAgent ? "https" : "http";
      agent.createConnection = ((options: ClientRequestArgs & NetConnectOpts, callback?: (error: Error | null, socket: Duplex) => void) => {
        const socket = this.take(`${scheme}://${options.host}:${options.port}`) ?? (create(options, callback) as Socket);
        const first = this.firstConnection;
        this.firstConnection = undefined;
        first?.(socket);
        return socket;
      }) as typeof agent.createConnection;
    }
  }

  /** Calls `then` with the connection these agents next give a request (once; the latest given wins). */
  onFirstConnection(then: (socket: Socket) => void): void {
    this.firstConnection = then;
  }

  /**
   * Opens connections to `url`'s origin, for this client's next requests there, until `count` (at most
   * MOST_AHEAD) opened ahead are waiting for one. Options as the agent gives its own (Agent#createSocket): the agent's, the host and port, the
   * TLS server name of a host that is not an IP address, and the agent's name for them (its TLS
   * session cache is kept by it).
   */
  openAhead(url: URL, count: number): void {
    const secure = url.protocol === "https:";
    const agent = (secure ? this.httpsAgent : this.httpAgent) as unknown as HttpAgent & { options: object; keepAliveMsecs: number };
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    const port = Number(url.port) || (secure ? 443 : 80);
    const key = `${secure ? "https" : "http"}://${host}:${port}`;
    const spares = this.spares.get(key) ?? [];
    this.spares.set(key, spares);
    const options = { ...agent.options, host, port, keepAlive: true, keepAliveInitialDelay: agent.keepAliveMsecs, ...(secure ? { servername: isIP(host) ? "" : host } : {}) };
    Object.assign(options, { _agentKey: agent.getName(options) });
    // The agent's own createConnection (net's or tls's), not the one above, which would hand out a spare.
    const create = Object.getPrototypeOf(agent).createConnection as (this: HttpAgent, options: object) => Socket;
    for (let i = spares.filter((socket) => !socket.destroyed).length; i < Math.min(count, MOST_AHEAD); i++) {
      const socket = create.call(agent, options);
      socket.once(secure ? "secureConnect" : "connect", () => established.add(socket));
      socket.on("error", ignore);
      socket.setTimeout(SPARE_IDLE_MS, closeIdle);
      socket.unref();
      spares.push(socket);
    }
  }

  /** A connection opened ahead to `key` and still open, for the agent; undefined when there is none. */
  private take(key: string): Socket | undefined {
    const spares = this.spares.get(key);
    for (let socket = spares?.shift(); socket !== undefined; socket = spares?.shift()) {
      if (socket.destroyed) continue;
      socket.off("error", ignore);
      socket.off("timeout", closeIdle);
      socket.setTimeout(0);
      socket.ref();
      return socket;
    }
    return undefined;
  }
}

/** A connection opened ahead that fails before it is used is passed over (take: destroyed). */
function ignore(): void {}

/** Connections opened ahead whose connect (TCP; TLS: its handshake too) is done. */
const established = new WeakSet<Socket>();

/** Calls `then` once `socket` is established (at once for one opened ahead and done); never if it fails. */
function whenEstablished(socket: Socket, then: () => void): void {
  if (established.has(socket)) then();
  else socket.once(socket instanceof TLSSocket ? "secureConnect" : "connect", then);
}

/** A connection opened ahead and idle for SPARE_IDLE_MS, not used: closed. */
function closeIdle(this: Socket): void {
  this.destroy();
}
