/**
 * A command's first ECS read, sent before the AWS SDK is loaded, and given to the SDK's own request
 * for the same read when it comes.
 *
 * Loading the SDK's modules and building its first request takes tens of milliseconds after the
 * command line is read (docs/performance.md, "The first read before the SDK"); the panic rollback's
 * first read (DescribeServices) needs only the region, the keys and the command line. So it is sent
 * at once, signed here (Signature Version 4:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html), over Node's own HTTP
 * client, while the SDK loads. The SDK stays the authority on what is sent: its client is given a
 * middleware (`useEarlyRead`) that, on the client's first request, compares that request — signed,
 * as the SDK would send it — with the one sent early: the same endpoint, operation, body, access key
 * and session token. Only then, and only when AWS answered 200, does the SDK get the early answer
 * instead of sending its request; it deserialises it, as any answer. Anything else (another request
 * first, a different endpoint, keys or body, an error, no answer) and the SDK sends its own request as
 * if there had been no early read: the early read can cost one read, never change an answer. (The SDK
 * sets its clock offset from every answer's Date header, this one's too: off by the time the answer
 * waited for the SDK, milliseconds, against the five minutes a signature may be off.)
 *
 * Only with keys from the environment (the SDK's first credential source, as client-environment.ts
 * reads it), which need no SDK to read; never with OIDC, a chained role or a profile.
 */
import { createHash, createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import type { AwsCredentialIdentity } from "@aws-sdk/types";
import { chainedRoleSettings, oidcRefreshSettings } from "../core/oidc-settings.js";
import { configuredEndpoint, environmentCredentials } from "./client-environment.js";
import { AgentsAhead } from "./connections.js";

/** ECS's JSON protocol (awsJson1_1): the target prefix of every operation. */
const ECS_TARGET = "AmazonEC2ContainerServiceV20141113.";
/** The regions of the `aws` partition, whose ECS endpoint is ecs.<region>.amazonaws.com (the SDK's partitions.json regionRegex). */
const AWS_PARTITION_REGION = /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/;
/** The clients' own connectionTimeout and requestTimeout (clients.ts). */
const CONNECTION_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 30_000;

/** An HTTP answer, as the SDK's request handlers give it to the deserialisers. */
export interface EarlyAnswer {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

/** A read sent early: what was sent, and its answer (undefined when it failed to come). */
export interface EarlyRead {
  /** protocol//host[:port]/path */
  readonly url: string;
  readonly target: string;
  /** The JSON body sent, parsed. */
  readonly input: unknown;
  readonly accessKeyId: string;
  readonly sessionToken: string | undefined;
  readonly answer: Promise<EarlyAnswer | undefined>;
  /**
   * Agents with connections opened while it is in flight (connections.ts), for the next requests of
   * the clients the caller asked for: ECS's to the same endpoint, the others' to theirs.
   */
  readonly agents: Readonly<Partial<Record<AheadService, AgentsAhead>>>;
}

/** The clients whose connections an early read opens too. */
export type AheadService = "ECS" | "ECR" | "SECRETS_MANAGER";
/** Their endpoints' host prefixes in the `aws` partition (the packages' endpoint rule sets). */
const HOST_PREFIX: Record<AheadService, string> = { ECS: "ecs", ECR: "api.ecr", SECRETS_MANAGER: "secretsmanager" };

/**
 * Sends the ECS operation `operation` with `input` now, when the clients will use keys from `env` and
 * the endpoint is known without the SDK; else undefined (the SDK sends it, as always). Then opens
 * the connections `options.ahead` asks for, for the calls that will follow its answer.
 */
export function readEarly(env: Readonly<Record<string, string | undefined>>, region: string, operation: string, input: object, options: EarlyReadOptions): EarlyRead | undefined {
  const credentials = keysInUse(env);
  const url = endpointUrl(env, region, "ECS");
  if (credentials === undefined || url === undefined || url.pathname !== "/" || url.search !== "") return undefined;
  if (filesMaySetEndpoints(env, options.configText)) return undefined;
  const body = JSON.stringify(input);
  const target = ECS_TARGET + operation;
  const headers = signedHeaders({ host: url.host, region, service: "ecs", target, body, credentials, now: new Date() });
  // On the ECS client's agents: its connection is kept for the client's next requests.
  const ecs = new AgentsAhead();
  const answer = new Promise<EarlyAnswer | undefined>((resolve) => {
    const secure = url.protocol === "https:";
    const sent = { method: "POST", agent: secure ? ecs.httpsAgent : ecs.httpAgent, headers: { ...headers, "content-length": String(Buffer.byteLength(body)), "user-agent": options.userAgent }, timeout: REQUEST_TIMEOUT_MS, ...(options.signal ? { signal: options.signal } : {}) };
    // Anything wrong with it (a header Node refuses, say) is the SDK's to report, when it sends its own.
    try {
      const request = (secure ? httpsRequest : httpRequest)(url, sent, (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", () => resolve(undefined));
        response.on("end", () => resolve({ statusCode: response.statusCode ?? 0, headers: flatHeaders(response.headers), body: new Uint8Array(Buffer.concat(chunks)) }));
      });
      request.on("timeout", () => request.destroy());
      request.on("error", () => resolve(undefined));
      // Not connected within the clients' connectionTimeout: given up, as the SDK's handler would (its request then tries again).
      const connecting = setTimeout(() => request.destroy(), CONNECTION_TIMEOUT_MS);
      request.on("socket", (socket) => (socket.connecting ? socket.once("connect", () => clearTimeout(connecting)) : clearTimeout(connecting)));
      request.on("close", () => clearTimeout(connecting));
      request.end(body);
    } catch {
      resolve(undefined);
    }
  });
  const agents: Partial<Record<AheadService, AgentsAhead>> = { ECS: ecs };
  const ahead: [AgentsAhead, URL, number][] = [];
  for (const [service, count] of Object.entries(options.ahead) as [AheadService, number][]) {
    const to = service === "ECS" ? url : endpointUrl(env, region, service);
    if (to === undefined || count <= 0) continue;
    agents[service] ??= new AgentsAhead();
    ahead.push([agents[service], to, count]);
  }
  // Once the request is written (its connect is done in the loop's next poll; this runs after it).
  setImmediate(() => {
    for (const [opener, url, count] of ahead) opener.openAhead(url, count);
  });
  return { url: `${url.protocol}//${url.host}${url.pathname}`, target, input: JSON.parse(body) as unknown, accessKeyId: credentials.accessKeyId, sessionToken: credentials.sessionToken, answer, agents };
}

/** What readEarly needs besides the read. */
export interface EarlyReadOptions {
  readonly userAgent: string;
  /** Connections to open for the calls after it, by client. */
  readonly ahead: Readonly<Partial<Record<AheadService, number>>>;
  /** The shared config file's text (main.ts reads it): its default profile may send the SDK elsewhere. */
  readonly configText?: string | undefined;
  readonly signal?: AbortSignal;
}

/**
 * Gives `client` (an SDK client) the early answer for its first request when that request is the
 * one sent early (see the file's comment), and says under --debug (`debug`) whether it was used. A
 * client without a middleware stack is left as it is.
 */
export function useEarlyRead(client: unknown, early: EarlyRead, debug: (line: string) => void = () => undefined): void {
  const stack = (client as { middlewareStack?: MiddlewareStack }).middlewareStack;
  if (stack === undefined) return;
  let first = true;
  const operation = early.target.slice(early.target.indexOf(".") + 1);
  stack.add(
    (next) => async (args) => {
      const mine = first && sameRequest(args.request, early);
      if (first && !mine) debug(`early read: the client's first request is not the ${operation} sent before the SDK loaded; it is sent`);
      first = false;
      const answer = mine ? await early.answer : undefined;
      if (answer?.statusCode === 200) {
        debug(`early read: ${operation} answered by the request sent before the SDK loaded`);
        return { response: answer };
      }
      if (mine) debug(`early read: the ${operation} sent before the SDK loaded got ${answer === undefined ? "no answer" : `HTTP ${answer.statusCode}`}; the SDK sends its own`);
      return next(args);
    },
    // After the signing (finalizeRequest) and inside the deserialiser: what it returns is deserialised.
    { step: "deserialize", priority: "low", name: "ecsReleaseEarlyRead" },
  );
}

/** The keys the clients will sign with when they come from `env` (main.ts: no OIDC, no chained role), else undefined. */
function keysInUse(env: Readonly<Record<string, string | undefined>>): AwsCredentialIdentity | undefined {
  try {
    if (oidcRefreshSettings(env) !== undefined || chainedRoleSettings(env) !== undefined) return undefined;
  } catch {
    return undefined; // settings in error: the command's AWS set-up reports them
  }
  return environmentCredentials(env);
}

/**
 * A client's endpoint when it needs no SDK to know, from the environment: configured in `env`, or the
 * `aws` partition's without FIPS or dual-stack (the shared files are readEarly's to check).
 */
export function endpointWithoutSdk(env: Readonly<Record<string, string | undefined>>, region: string, service: AheadService): string | undefined {
  const configured = configuredEndpoint(env, service);
  if (configured !== undefined) return configured;
  if (/^true$/i.test(env["AWS_USE_FIPS_ENDPOINT"] ?? "") || /^true$/i.test(env["AWS_USE_DUALSTACK_ENDPOINT"] ?? "")) return undefined;
  return AWS_PARTITION_REGION.test(region) ? `https://${HOST_PREFIX[service]}.${region}.amazonaws.com` : undefined;
}

function endpointUrl(env: Readonly<Record<string, string | undefined>>, region: string, service: AheadService): URL | undefined {
  const endpoint = endpointWithoutSdk(env, region, service);
  const url = endpoint === undefined || !URL.canParse(endpoint) ? undefined : new URL(endpoint);
  return url?.protocol === "https:" || url?.protocol === "http:" ? url : undefined;
}

/**
 * True when the shared files may send the SDK's requests elsewhere: the default profile (the one used
 * without AWS_PROFILE) of the config file (`configText`, read by main.ts) or of the credentials file,
 * which the SDK reads for the same settings, sets an endpoint, FIPS or dual-stack
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-endpoints.html,
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html,
 * https://docs.aws.amazon.com/sdkref/latest/guide/file-location.html); or when where the files are is
 * unknown here (no home directory in `env`). Read wider than the SDK (any indentation, either
 * section form in either file): a setting seen in doubt only costs the early read.
 */
function filesMaySetEndpoints(env: Readonly<Record<string, string | undefined>>, configText: string | undefined): boolean {
  const home = env["HOME"] || env["USERPROFILE"];
  if (home === undefined && !env["AWS_CONFIG_FILE"]) return true;
  const path = env["AWS_SHARED_CREDENTIALS_FILE"] || (home ? join(home, ".aws", "credentials") : undefined);
  let credentialsText: string | undefined;
  try {
    credentialsText = path === undefined ? undefined : readFileSync(path.startsWith("~/") && home ? join(home, path.slice(2)) : path, "utf8");
  } catch {
    credentialsText = undefined; // no file: nothing set there
  }
  return [configText, credentialsText].some((text) => text !== undefined && defaultProfileSetsEndpoints(text));
}

function defaultProfileSetsEndpoints(text: string): boolean {
  let inDefault = false;
  for (const line of text.split(/\r?\n/)) {
    const section = /^\s*\[\s*(.*?)\s*\]/.exec(line)?.[1];
    if (section !== undefined) inDefault = /^(profile\s+)?"?default"?$/.test(section);
    else if (inDefault && /^\s*(endpoint_url|services|use_fips_endpoint|use_dualstack_endpoint)\s*=/i.test(line)) return true;
  }
  return false;
}

/**
 * The headers of a Signature Version 4 signed POST to "/" of an AWS JSON protocol operation, with
 * the headers the SDK signs for it (content type, host, payload hash, date, target, session token).
 */
export function signedHeaders(input: { readonly host: string; readonly region: string; readonly service: string; readonly target: string; readonly body: string; readonly credentials: AwsCredentialIdentity; readonly now: Date }): Record<string, string> {
  const { credentials } = input;
  const amzDate = input.now.toISOString().replace(/[-:]|\.\d{3}/g, "");
  const day = amzDate.slice(0, 8);
  const payloadHash = sha256(input.body);
  const headers: Record<string, string> = {
    "content-type": "application/x-amz-json-1.1",
    host: input.host,
    "x-amz-content-sha256": payloadHash,
    "x-amz-date": amzDate,
    ...(credentials.sessionToken ? { "x-amz-security-token": credentials.sessionToken } : {}),
    "x-amz-target": input.target,
  };
  const names = Object.keys(headers).sort();
  const canonicalRequest = ["POST", "/", "", ...names.map((name) => `${name}:${canonicalValue(headers[name] ?? "")}`), "", names.join(";"), payloadHash].join("\n");
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonicalRequest)].join("\n");
  const key = [day, input.region, input.service, "aws4_request"].reduce<Buffer | string>((secret, part) => hmac(secret, part), `AWS4${credentials.secretAccessKey}`);
  const signature = hmac(key, stringToSign).toString("hex");
  return { ...headers, authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}` };
}

/** True when the SDK's signed `request` is the read sent early: endpoint, operation, body and keys. */
export function sameRequest(request: unknown, early: Pick<EarlyRead, "url" | "target" | "input" | "accessKeyId" | "sessionToken">): boolean {
  const r = request as Partial<SdkRequest> | undefined;
  if (r?.headers === undefined || r.method !== "POST") return false;
  const url = `${r.protocol ?? ""}//${r.hostname ?? ""}${r.port === undefined ? "" : `:${r.port}`}${r.path ?? ""}`;
  const accessKeyId = /Credential=([^/]+)\//.exec(r.headers["authorization"] ?? "")?.[1];
  if (url !== early.url || r.headers["x-amz-target"] !== early.target || accessKeyId !== early.accessKeyId || r.headers["x-amz-security-token"] !== early.sessionToken) return false;
  try {
    // Decoded as bytes: the SDK's JSON body warns when read as a string (Buffer.from calls its valueOf).
    const body = typeof r.body === "string" ? r.body : r.body instanceof Uint8Array ? new TextDecoder().decode(r.body) : undefined;
    return body !== undefined && canonicalJson(JSON.parse(body)) === canonicalJson(early.input);
  } catch {
    return false;
  }
}

/** The SDK's HTTP request, as its middleware sees it (@smithy/protocol-http HttpRequest). */
interface SdkRequest {
  readonly method: string;
  readonly protocol: string;
  readonly hostname: string;
  readonly port?: number;
  readonly path: string;
  readonly headers: Record<string, string | undefined>;
  readonly body?: unknown;
}

type Handler = (args: { request: unknown }) => Promise<{ response: unknown }>;
interface MiddlewareStack {
  add(middleware: (next: Handler) => Handler, options: { step: string; priority: string; name: string }): void;
}

/** JSON with every object's keys sorted, to compare two bodies whatever their keys' order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Node's headers as the SDK's request handler gives them: one string each (repeated ones joined). */
function flatHeaders(headers: IncomingMessage["headers"]): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(",") : value;
  return flat;
}

/** A header value in the canonical request: line breaks as spaces, runs of spaces and tabs as one, trimmed (as the SDK's signer). */
function canonicalValue(value: string): string {
  return value.replace(/[\r\n]/g, " ").replace(/[ \t]+/g, " ").replace(/^ | $/g, "");
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function hmac(key: Buffer | string, text: string): Buffer {
  return createHmac("sha256", key).update(text, "utf8").digest();
}
