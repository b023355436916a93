/**
 * The HTTP front: answers the `/_sim/*` control API, injects faults, records the call log, hands the
 * ECS operations it simulates to {@link EcsSimulation}, and forwards everything else to moto
 * byte-for-byte.
 */
import type { Socket } from "node:net";
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { EcsSimulation, isJsonObject, type ApiAnswer, type ConsistencySettings, type JsonObject, type SimRule, type SimulationSnapshot, type TaskDefinitionInfo } from "./ecs-simulation.js";
import { checkRequestLimits, checkTagCount, pageOf, PAGED_LISTS, withoutPaging } from "./api-limits.js";
import { LIFECYCLE_STAGES } from "./service-deployments.js";
import { StsSimulation, type IamLookup, type StsSnapshot } from "./sts.js";
import type { LogsBackend } from "./task-logs.js";
import { MotoReadCache, type CacheSnapshot, type RevisionBody } from "./moto-cache.js";

/** A fault injected into matching AWS calls. */
export interface SimFault {
  /** Operation name such as "DescribeServices", or "*" for every AWS call. */
  operation: string;
  /**
   * Error answered, or "reset" to destroy the connection. Besides throttling and unavailability, the
   * errors no retry fixes (denied calls, expired or unknown credentials) as AWS answers them.
   */
  error: "ThrottlingException" | "ServiceUnavailable" | "reset" | NonRetryableFault;
  /** Probability in [0, 1] that a matching call is faulted; default 1. */
  rate?: number;
  /** At most this many calls are faulted; default unlimited. */
  count?: number;
  /**
   * The error's message (default "Rate exceeded" / "Service Unavailable"). An extension of the
   * contract: it lets tests model AWS errors that echo their input.
   */
  message?: string;
  /** Only calls whose request body contains this text are faulted (say, one family's RegisterTaskDefinition). */
  bodyIncludes?: string;
}

/** One AWS call received by the emulator. */
export interface CallLogEntry {
  /** "ecs", "ssm", "ecr", … */
  service: string;
  /** Operation name, e.g. "UpdateService". */
  operation: string;
  /** HTTP status answered; 0 when the connection was reset by a fault. */
  status: number;
  /**
   * Epoch milliseconds when the request arrived: on a new connection, once its handshake is done
   * (`connectionMs`, `POST /_sim/latency`).
   */
  start: number;
  /** Milliseconds the request waited for its connection's handshake; absent when it waited none. */
  handshakeWaitMs?: number;
  /** Epoch milliseconds when the answer was finished. */
  end: number;
  /** The access key id the request was signed with (SigV4 credential scope); absent when unsigned. */
  accessKeyId?: string;
  /** The request's User-Agent header: the SDK's, or the CLI's own for a read sent before the SDK loaded. */
  userAgent?: string;
  /**
   * The request's parameters (JSON body, or query/form parameters), secrets redacted
   * ({@link redactSecrets}). The IAM evaluation (test/helpers/iam-check.ts) derives actions,
   * resources and condition keys from it.
   */
  request?: unknown;
  /** The JSON answer, secrets redacted; absent for non-JSON answers and faults. */
  response?: unknown;
}

// SecretString/SecretBinary: the SecureStrings snapshot a release writes to Secrets Manager (PutSecretValue, CreateSecret) and GetSecretValue answers.
const SECRET_KEYS = /^(value|authorizationtoken|secretaccesskey|sessiontoken|webidentitytoken|externalid|password|credentials|secretstring|secretbinary)$/i;

/** A copy of a parsed request or answer with every secret-bearing field ("Value", tokens, keys) replaced. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, SECRET_KEYS.test(key) ? "[redacted]" : redactSecrets(item)]));
}

/** The parameters of a request: its JSON body, or its query and form parameters (query protocol). */
function requestParameters(url: string, body: Buffer): unknown {
  const json = parseJson(body);
  if (json !== undefined) return redactSecrets(json);
  const params = new URLSearchParams(url.includes("?") ? url.slice(url.indexOf("?") + 1) : "");
  for (const [key, value] of new URLSearchParams(body.toString("utf8"))) params.append(key, value);
  return redactSecrets(Object.fromEntries(params));
}

interface ActiveFault {
  fault: SimFault;
  remaining: number;
}

interface MotoAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const TARGET_SERVICES: Record<string, string> = {
  AmazonEC2ContainerServiceV20141113: "ecs",
  AmazonSSM: "ssm",
  AmazonEC2ContainerRegistry_V20150921: "ecr",
  // KMS and Secrets Manager: moto serves them (GenerateMac/VerifyMac, the secret versions); the log names them as IAM does.
  TrentService: "kms",
  secretsmanager: "secretsmanager",
  Logs_20140328: "logs",
  AWSEvents: "events",
};

/**
 * EventBridge Scheduler is a REST API: its operations by method and path
 * (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_Operations.html).
 */
function schedulerOperation(method: string, url: string): string {
  const path = url.split("?")[0] ?? "";
  const routes: Array<[string, RegExp, string]> = [
    ["GET", /^\/schedules\/?$/, "ListSchedules"],
    ["GET", /^\/schedules\/[^/]+$/, "GetSchedule"],
    ["POST", /^\/schedules\/[^/]+$/, "CreateSchedule"],
    ["PUT", /^\/schedules\/[^/]+$/, "UpdateSchedule"],
    ["DELETE", /^\/schedules\/[^/]+$/, "DeleteSchedule"],
    ["GET", /^\/schedule-groups\/?$/, "ListScheduleGroups"],
    ["GET", /^\/schedule-groups\/[^/]+$/, "GetScheduleGroup"],
    ["POST", /^\/schedule-groups\/[^/]+$/, "CreateScheduleGroup"],
    ["DELETE", /^\/schedule-groups\/[^/]+$/, "DeleteScheduleGroup"],
  ];
  return routes.find(([m, pattern]) => m === method && pattern.test(path))?.[2] ?? "unknown";
}
const ECS_PREFIX = "AmazonEC2ContainerServiceV20141113";
const ECR_PREFIX = "AmazonEC2ContainerRegistry_V20150921";
const LOGS_PREFIX = "Logs_20140328";
/** moto's account (its default; the emulator does not change it). */
const MOTO_ACCOUNT_ID = process.env["MOTO_ACCOUNT_ID"] ?? "123456789012";
/** Where the front's own reads of revisions ask moto (motoEcs without an authorization: the test keys, us-east-1). */
const FRONT_READS = { region: "us-east-1", account: MOTO_ACCOUNT_ID } as const;
/** Faults for errors that retrying never fixes. */
export type NonRetryableFault = "AccessDenied" | "AccessDeniedException" | "ExpiredToken" | "ExpiredTokenException" | "UnrecognizedClientException" | "InvalidClientTokenId";

/**
 * Status and default message of each non-retryable fault, from AWS's common errors (all HTTP 403:
 * https://docs.aws.amazon.com/awsconsolehelpdocs/latest/gsg/common-errors.html): the JSON-protocol
 * names (…Exception) for ECS, SSM and ECR; AccessDenied, ExpiredToken and InvalidClientTokenId are the
 * query-protocol (STS, IAM) names and are answered as XML to query-protocol calls.
 */
const NON_RETRYABLE_FAULTS: Record<NonRetryableFault, { status: number; message: string }> = {
  AccessDeniedException: { status: 403, message: "User: arn:aws:sts::123456789012:assumed-role/ecs-release/ci is not authorized to perform this action" },
  AccessDenied: { status: 403, message: "User: arn:aws:sts::123456789012:assumed-role/ecs-release/ci is not authorized to perform this action" },
  ExpiredTokenException: { status: 403, message: "The security token included in the request is expired" },
  ExpiredToken: { status: 403, message: "The security token included in the request is expired" },
  UnrecognizedClientException: { status: 403, message: "The security token included in the request is invalid." },
  InvalidClientTokenId: { status: 403, message: "The security token included in the request is invalid." },
};
const FAULT_ERRORS = new Set(["ThrottlingException", "ServiceUnavailable", "reset", ...Object.keys(NON_RETRYABLE_FAULTS)]);
const OUTCOMES = new Set(["complete", "fail", "stuck"]);
/** The stages a `failStage` may name (ECS's ServiceDeploymentLifecycleStage, as in the SDK). */
const FAIL_STAGES = new Set(LIFECYCLE_STAGES);

/** Service and operation of an AWS request, from X-Amz-Target or the SigV4 credential scope. */
export function identifyCall(headers: IncomingHttpHeaders, url: string, body: Buffer, method = "POST"): { service: string; operation: string } {
  const target = headerValue(headers, "x-amz-target");
  let service = "unknown";
  let operation = "unknown";
  if (target !== undefined && target.includes(".")) {
    const dot = target.lastIndexOf(".");
    const prefix = target.slice(0, dot);
    operation = target.slice(dot + 1);
    service = TARGET_SERVICES[prefix] ?? prefix;
  }
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(headerValue(headers, "authorization") ?? "");
  if (service === "unknown" && scope?.[1] !== undefined) service = scope[1];
  if (operation === "unknown" && service === "scheduler") operation = schedulerOperation(method, url);
  if (operation === "unknown") {
    const query = new URLSearchParams(url.includes("?") ? url.slice(url.indexOf("?") + 1) : "");
    const form = new URLSearchParams(body.toString("utf8"));
    operation = query.get("Action") ?? form.get("Action") ?? operation;
  }
  return { service, operation };
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

function sendJson(res: ServerResponse, status: number, value: unknown, contentType = "application/json"): number {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { "content-type": contentType, "content-length": body.length, "x-amzn-requestid": randomUUID() });
  res.end(body);
  return status;
}

/** An answer of the simulation's own ECS operations, as ECS's JSON protocol sends it (errors: HTTP 400 with __type). */
function ecsAnswer(answer: ApiAnswer): MotoAnswer {
  const headers = { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": randomUUID() };
  if (answer.error !== undefined) return { status: 400, headers, body: Buffer.from(JSON.stringify({ __type: answer.error, message: answer.message })) };
  return { status: 200, headers, body: Buffer.from(JSON.stringify(answer.json)) };
}

/** Validate a rule posted to `/_sim/rules`; returns an error message or the rule. */
export function parseRule(value: unknown): SimRule | string {
  if (!isJsonObject(value)) return "rule must be a JSON object";
  const { match, outcome, steps, exitCode, scaleTo, scaleAtStep, failStage, bakeSteps } = value;
  if (typeof match !== "string") return "rule.match must be a string";
  if (typeof outcome !== "string" || !OUTCOMES.has(outcome)) return "rule.outcome must be complete, fail or stuck";
  if (steps !== undefined && (typeof steps !== "number" || !Number.isInteger(steps) || steps < 1)) return "rule.steps must be an integer >= 1";
  if (exitCode !== undefined && (typeof exitCode !== "number" || !Number.isInteger(exitCode))) return "rule.exitCode must be an integer";
  if (scaleTo !== undefined && (typeof scaleTo !== "number" || !Number.isInteger(scaleTo) || scaleTo < 0)) return "rule.scaleTo must be an integer >= 0";
  if (scaleAtStep !== undefined && (typeof scaleAtStep !== "number" || !Number.isInteger(scaleAtStep) || scaleAtStep < 1)) return "rule.scaleAtStep must be an integer >= 1";
  if (failStage !== undefined && (typeof failStage !== "string" || !(FAIL_STAGES as Set<string>).has(failStage))) return `rule.failStage must be one of ${LIFECYCLE_STAGES.join(", ")}`;
  if (bakeSteps !== undefined && (typeof bakeSteps !== "number" || !Number.isInteger(bakeSteps) || bakeSteps < 0)) return "rule.bakeSteps must be an integer >= 0";
  const rule: SimRule = { match, outcome: outcome as SimRule["outcome"] };
  if (failStage !== undefined) rule.failStage = failStage;
  if (bakeSteps !== undefined) rule.bakeSteps = bakeSteps;
  if (scaleTo !== undefined) rule.scaleTo = scaleTo;
  if (scaleAtStep !== undefined) rule.scaleAtStep = scaleAtStep;
  if (steps !== undefined) rule.steps = steps;
  if (exitCode !== undefined) rule.exitCode = exitCode;
  return parseTaskRuleFields(value, rule);
}

/** The one-off task fields of a rule (stopCode, stoppedReason, containerExitCodes, runTaskFailure, unknownRevisionReads). */
function parseTaskRuleFields(value: JsonObject, rule: SimRule): SimRule | string {
  const { stopCode, stoppedReason, containerExitCodes, runTaskFailure, unknownRevisionReads } = value;
  for (const [name, field] of [["stopCode", stopCode], ["stoppedReason", stoppedReason], ["runTaskFailure", runTaskFailure]] as const) {
    if (field !== undefined && (typeof field !== "string" || field === "")) return `rule.${name} must be a non-empty string`;
  }
  if (containerExitCodes !== undefined && (!isJsonObject(containerExitCodes) || Object.values(containerExitCodes).some((code) => typeof code !== "number" || !Number.isInteger(code)))) {
    return "rule.containerExitCodes must map container names to integers";
  }
  if (unknownRevisionReads !== undefined && (typeof unknownRevisionReads !== "number" || !Number.isInteger(unknownRevisionReads) || unknownRevisionReads < 0)) {
    return "rule.unknownRevisionReads must be an integer >= 0";
  }
  if (typeof stopCode === "string") rule.stopCode = stopCode;
  if (typeof stoppedReason === "string") rule.stoppedReason = stoppedReason;
  if (isJsonObject(containerExitCodes)) rule.containerExitCodes = { ...(containerExitCodes as Record<string, number>) };
  if (typeof runTaskFailure === "string") rule.runTaskFailure = runTaskFailure;
  if (typeof unknownRevisionReads === "number") rule.unknownRevisionReads = unknownRevisionReads;
  const { logLines } = value;
  if (logLines !== undefined && (!Array.isArray(logLines) || logLines.some((line) => typeof line !== "string"))) return "rule.logLines must be an array of strings";
  if (Array.isArray(logLines)) rule.logLines = logLines.map(String);
  return rule;
}

/** Validate settings posted to `/_sim/consistency`; returns an error message or the settings given. */
export function parseConsistency(value: unknown): Partial<ConsistencySettings> | string {
  if (!isJsonObject(value)) return "consistency must be a JSON object";
  const { staleServiceReads, lateTags, freshFirst } = value;
  const out: Partial<ConsistencySettings> = {};
  if (staleServiceReads !== undefined) {
    if (typeof staleServiceReads !== "number" || !Number.isInteger(staleServiceReads) || staleServiceReads < 0 || staleServiceReads > 3) {
      return "consistency.staleServiceReads must be an integer from 0 to 3";
    }
    out.staleServiceReads = staleServiceReads;
  }
  if (lateTags !== undefined) {
    if (typeof lateTags !== "boolean") return "consistency.lateTags must be true or false";
    out.lateTags = lateTags;
  }
  if (freshFirst !== undefined) {
    if (typeof freshFirst !== "boolean") return "consistency.freshFirst must be true or false";
    out.freshFirst = freshFirst;
  }
  for (const key of ["staleCurrentServiceDeployment", "doubleServiceDeployments", "inactiveNeedsReference"] as const) {
    if (value[key] === undefined) continue;
    if (typeof value[key] !== "boolean") return `consistency.${key} must be true or false`;
    out[key] = value[key];
  }
  return out;
}

/** An ECS error answer in the JSON protocol. */
function errorAnswer(status: number, type: string, message: string): MotoAnswer {
  return { status, headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": randomUUID() }, body: Buffer.from(JSON.stringify({ __type: type, message })) };
}

/** ECS's answer for a task definition it does not (yet) know. */
function unknownTaskDefinition(): MotoAnswer {
  return errorAnswer(400, "ClientException", "Unable to describe task definition.");
}

/** Validate a fault posted to `/_sim/faults`; returns an error message or the fault. */
export function parseFault(value: unknown): SimFault | string {
  if (!isJsonObject(value)) return "fault must be a JSON object";
  const { operation, error, rate, count, message, bodyIncludes } = value;
  if (typeof operation !== "string" || operation === "") return "fault.operation must be an operation name or *";
  if (typeof error !== "string" || !FAULT_ERRORS.has(error)) return `fault.error must be one of ${[...FAULT_ERRORS].join(", ")}`;
  if (rate !== undefined && (typeof rate !== "number" || rate < 0 || rate > 1)) return "fault.rate must be a number in [0, 1]";
  if (count !== undefined && (typeof count !== "number" || !Number.isInteger(count) || count < 0)) return "fault.count must be an integer >= 0";
  if (message !== undefined && typeof message !== "string") return "fault.message must be a string";
  if (bodyIncludes !== undefined && typeof bodyIncludes !== "string") return "fault.bodyIncludes must be a string";
  const fault: SimFault = { operation, error: error as SimFault["error"] };
  if (bodyIncludes !== undefined) fault.bodyIncludes = bodyIncludes;
  if (message !== undefined) fault.message = message;
  if (rate !== undefined) fault.rate = rate;
  if (count !== undefined) fault.count = count;
  return fault;
}

/**
 * The emulator as it was when a snapshot was taken (`POST /_sim/snapshot`): the front's part (moto
 * keeps its own, test/emulator/moto-process.ts) and the value the taker stored with it.
 */
interface FrontSnapshot {
  readonly simulation: SimulationSnapshot;
  readonly sts: StsSnapshot;
  readonly cache: CacheSnapshot;
  readonly lateTags: Map<string, unknown[]>;
  readonly faults: ActiveFault[];
  readonly log: CallLogEntry[];
  readonly latencyMs: number;
  readonly connectionMs: number;
  readonly value: unknown;
}

/** A snapshot's name: it is also a path segment of moto's snapshot endpoints. */
const SNAPSHOT_NAME = /^[A-Za-z0-9._:-]{1,200}$/;

/** The emulator's HTTP front for one moto instance. */
export class EmulatorProxy {
  private readonly simulation: EcsSimulation;
  /** Simulated clock and expiring STS credentials (sts.ts). */
  private readonly sts = new StsSimulation();
  private faults: ActiveFault[] = [];
  private log: CallLogEntry[] = [];
  /** Bumped by reset so calls in flight across a reset are not logged. */
  private generation = 0;
  /** Tags as they were before the last TagResource, by resource ARN, while they show one read late. */
  private lateTags = new Map<string, unknown[]>();
  /**
   * Milliseconds every AWS call takes at the least (`POST /_sim/latency`; 0 after reset): a stand-in
   * for the round trip to AWS, so that calls made one after the other and calls made together show
   * apart in the call log (the benchmark and the round-trip tests read it). A call is answered no
   * earlier than this long after it arrived; the emulator's own work on it (moto's, which serves one
   * call at a time) is done meanwhile, as AWS serves a client's concurrent calls side by side (holdAnswer).
   */
  private latencyMs = 0;
  /**
   * Milliseconds a new connection takes before its first request can reach AWS (`POST /_sim/latency`
   * `connectionMs`; 0 after reset): the stand-in for the TCP and TLS handshakes the emulator's plain,
   * local HTTP does not cost. On AWS every call goes over HTTPS and a new connection first costs a TCP
   * handshake (SYN, SYN-ACK: a round trip) and a TLS one (one round trip with TLS 1.3, which every AWS
   * service API endpoint supports: https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/doc-history.html,
   * 2025-04-10; RFC 8446 section 2); a kept connection costs neither, which is why the SDK keeps them
   * (https://aws.amazon.com/blogs/developer/http-keep-alive-is-on-by-default-in-modular-aws-sdk-for-javascript/).
   * A connection's handshake starts when it is accepted, with the value set then: its first request,
   * sent earlier, arrives when the handshake ends (the client could send nothing before), and only
   * then is it read, run and logged; a client gone meanwhile never sent it.
   */
  private connectionMs = 0;
  /** Connections accepted with a handshake to wait for, until their first request: when it ends (epoch ms) and its length. A reset forgets them. */
  private handshakes = new WeakMap<Socket, { end: number; ms: number }>();
  /** The tail of the queue of RegisterTaskDefinition calls (see serially). */
  private registrations: Promise<unknown> = Promise.resolve();
  /**
   * Every request sent to moto since the emulator started (not cleared by reset), by operation: how
   * many and the milliseconds they took (`GET /_sim/moto-calls`). Where the test suite's time goes.
   */
  private readonly motoCalls = new Map<string, { count: number; ms: number }>();
  /** What the front read from moto and may keep (moto-cache.ts). */
  private readonly cache = new MotoReadCache();
  /**
   * What the emulator is known to be: "" from a reset, the snapshot's key once one was put back or
   * taken, until the first AWS call, moto-api request or control call that changes something
   * (undefined). A snapshot is kept under the key of the state it was recorded from and its name
   * (`<base>/<name>`), so set-ups chain: one put back on top of another.
   */
  private state: string | undefined = "";
  /** The snapshot being recorded: named by `POST /_sim/restore` on a known state, taken by `POST /_sim/snapshot`. */
  private recording: { name: string; key: string; generation: number } | undefined;
  private readonly snapshots = new Map<string, FrontSnapshot>();
  /** Requests of the front's to moto not yet answered, and who waits for there to be none (idle). */
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  readonly server: Server;

  /**
   * Connections to moto, kept open between requests: moto's server keeps them (KEEP_ALIVE_SERVER in
   * moto-process.ts); moto as shipped closes each one after its answer, and the agent then opens the next.
   * An idle one is closed after 5 s, as Node's global agent does, so moto's threads serving them end.
   */
  private readonly motoAgent = new Agent({ keepAlive: true, timeout: 5_000 });

  /** Closes the connections to moto (the emulator is stopping). */
  closeMotoConnections(): void {
    this.motoAgent.destroy();
  }

  constructor(private readonly motoPort: number) {
    // One simulated clock for STS and ECS (`POST /_sim/clock`): lifecycle hook timeouts run on it.
    this.simulation = new EcsSimulation((reference) => this.describeTaskDefinition(reference), () => this.sts.now());
    this.simulation.setImageCheck((image) => this.ecrImageExists(image));
    this.simulation.setDigestLookup((image) => this.ecrImageDigest(image));
    this.simulation.setEnvironmentResolver((arn) => this.taskEnvironment(arn));
    this.simulation.setLogsBackend(this.logsBackend());
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { __type: "InternalFailure", message: String(error) });
        else res.destroy();
      });
    });
    this.server.on("connection", (socket: Socket) => {
      if (this.connectionMs > 0) this.handshakes.set(socket, { end: Date.now() + this.connectionMs, ms: this.connectionMs });
    });
  }

  /**
   * When a request that arrived at `arrived` on `socket` reaches AWS: once the connection's handshake
   * is over, for its first request (never longer than the handshake, whatever the clock did meanwhile).
   */
  private async afterHandshake(socket: Socket, arrived: number): Promise<number> {
    const handshake = this.handshakes.get(socket);
    if (handshake === undefined) return arrived;
    this.handshakes.delete(socket);
    const wait = Math.min(handshake.end, arrived + handshake.ms) - arrived;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    return arrived + Math.max(wait, 0);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrived = Date.now();
    const body = await readBody(req);
    const url = req.url ?? "/";
    if (url.startsWith("/_sim/")) {
      await this.control(req.method ?? "GET", url, body, res);
      return;
    }
    const start = url.startsWith("/moto-api") ? arrived : await this.afterHandshake(req.socket, arrived);
    if (req.socket.destroyed) return;
    this.state = undefined;
    if (url.startsWith("/moto-api")) {
      const answer = await this.forward(req.method ?? "GET", url, req.headers, body);
      this.cache.clear();
      this.pipeAnswer(res, answer);
      return;
    }
    const handshakeWaitMs = start - arrived;
    const call = identifyCall(req.headers, url, body, req.method ?? "POST");
    const generation = this.generation;
    const answeredFrom = start + this.latencyMs;
    if (this.latencyMs > 0) holdAnswer(res, answeredFrom);
    const accessKeyId = /Credential=([^/]+)\//.exec(headerValue(req.headers, "authorization") ?? "")?.[1];
    const userAgent = headerValue(req.headers, "user-agent");
    const parameters = requestParameters(url, body);
    // Scheduler names the schedule in its path (REST): the log keeps it as `Name`, as the IAM check reads it.
    const scheduleName = call.service === "scheduler" ? /^\/schedules\/([^/?]+)/.exec(url)?.[1] : undefined;
    const request = scheduleName !== undefined && typeof parameters === "object" && parameters !== null ? { ...parameters, Name: decodeURIComponent(scheduleName) } : parameters;
    const record = (status: number, answer?: Buffer): void => {
      if (generation !== this.generation) return;
      const response = answer === undefined ? undefined : parseJson(answer);
      this.log.push({ ...call, status, start, end: Math.max(Date.now(), answeredFrom), ...(handshakeWaitMs > 0 ? { handshakeWaitMs } : {}), ...(accessKeyId === undefined ? {} : { accessKeyId }), ...(userAgent === undefined ? {} : { userAgent }), request, ...(response === undefined ? {} : { response: redactSecrets(response) }) });
    };

    // Expiring credentials: STS refuses expired web identity tokens; expired credentials fail (sts.ts).
    // Then STS decides with the role's trust policy, as AWS does (sts.ts, trust-policy.ts).
    const webIdentity = call.operation === "AssumeRoleWithWebIdentity";
    if (webIdentity) call.service = "sts";
    const assumeRole = webIdentity || (call.service === "sts" && call.operation === "AssumeRole");
    let refused = webIdentity ? this.sts.checkWebIdentity(body) : this.sts.checkCredentials(req.headers);
    if (refused === undefined && assumeRole) refused = await this.sts.authorize(webIdentity ? "AssumeRoleWithWebIdentity" : "AssumeRole", body, accessKeyId, this.iamLookup);
    if (refused !== undefined) {
      const payload = Buffer.from(refused.body);
      res.writeHead(refused.status, { "content-type": refused.contentType, "content-length": payload.length, "x-amzn-requestid": randomUUID() });
      res.end(payload);
      record(refused.status);
      return;
    }

    const fault = this.takeFault(call.operation, body);
    if (fault !== undefined) {
      if (fault.error === "reset") {
        record(0);
        notBefore(answeredFrom, () => req.socket.destroy());
        return;
      }
      const denied = fault.error in NON_RETRYABLE_FAULTS ? NON_RETRYABLE_FAULTS[fault.error as NonRetryableFault] : undefined;
      if (denied !== undefined) {
        const message = fault.message ?? denied.message;
        const query = headerValue(req.headers, "x-amz-target") === undefined;
        const xml = `<ErrorResponse><Error><Type>Sender</Type><Code>${fault.error}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
        if (query) {
          res.writeHead(denied.status, { "content-type": "text/xml", "content-length": Buffer.byteLength(xml), "x-amzn-requestid": randomUUID() });
          res.end(xml);
          record(denied.status);
        } else record(sendJson(res, denied.status, { __type: fault.error, message }, "application/x-amz-json-1.1"));
        return;
      }
      const status =
        fault.error === "ThrottlingException"
          ? sendJson(res, 400, { __type: "ThrottlingException", message: fault.message ?? "Rate exceeded" }, "application/x-amz-json-1.1")
          : sendJson(res, 503, { __type: "ServiceUnavailable", message: fault.message ?? "Service Unavailable" }, "application/x-amz-json-1.1");
      record(status);
      return;
    }

    // A write drops what the front kept of what it may change: before it reaches moto, and once answered.
    this.cache.invalidate(call.service, call.operation);
    const target = headerValue(req.headers, "x-amz-target") ?? "";
    const simulated = target.startsWith(`${ECS_PREFIX}.`)
      ? await this.simulateEcs(call.operation, req, url, body)
      : target.startsWith(`${ECR_PREFIX}.`)
        ? await this.simulateEcr(call.operation, req, url, body)
        : target.startsWith("secretsmanager.")
          ? await this.simulateSecretsManager(call.operation, req, url, body)
          : undefined;
    // What the simulated tasks wrote while this call was answered is in CloudWatch Logs before the answer is.
    await this.simulation.flushLogs();
    let answer = simulated ?? (await this.forward(req.method ?? "POST", url, req.headers, body));
    this.cache.invalidate(call.service, call.operation);
    if (assumeRole && answer.status === 200) answer = { ...answer, body: Buffer.from(this.sts.recordCredentials(body, answer.body.toString("utf8"))) };
    res.on("finish", () => record(answer.status, answer.body));
    this.pipeAnswer(res, answer);
  }

  /** What STS reads from IAM, answered by moto's IAM (GetRole, GetOpenIDConnectProvider). */
  private readonly iamLookup: IamLookup = {
    trustPolicy: async (roleArn) => {
      const roleName = /:role\/(?:.*\/)?([^/]+)$/.exec(roleArn)?.[1];
      if (roleName === undefined) return undefined;
      const answer = await this.motoIam({ Action: "GetRole", RoleName: roleName });
      const encoded = answer.status === 200 ? /<AssumeRolePolicyDocument>([^<]*)<\/AssumeRolePolicyDocument>/.exec(answer.text)?.[1] : undefined;
      return encoded === undefined ? undefined : decodeURIComponent(encoded);
    },
    oidcProviderClientIds: async (providerArn) => {
      const answer = await this.motoIam({ Action: "GetOpenIDConnectProvider", OpenIDConnectProviderArn: providerArn });
      if (answer.status !== 200) return undefined;
      const list = /<ClientIDList>([\s\S]*?)<\/ClientIDList>/.exec(answer.text)?.[1] ?? "";
      return [...list.matchAll(/<member>([^<]*)<\/member>/g)].map((m) => unescapeXml(m[1] ?? ""));
    },
  };

  /** Call IAM on moto directly (query protocol; not logged, no faults). */
  private async motoIam(parameters: Record<string, string>): Promise<{ status: number; text: string }> {
    const headers: IncomingHttpHeaders = {
      "content-type": "application/x-www-form-urlencoded",
      authorization: "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0",
    };
    const answer = await this.forward("POST", "/", headers, Buffer.from(new URLSearchParams({ ...parameters, Version: "2010-05-08" }).toString()));
    return { status: answer.status, text: answer.body.toString("utf8") };
  }

  private takeFault(operation: string, body: Buffer): SimFault | undefined {
    for (const active of this.faults) {
      if (active.remaining <= 0) continue;
      if (active.fault.operation !== "*" && active.fault.operation !== operation) continue;
      if (active.fault.bodyIncludes !== undefined && !body.toString("utf8").includes(active.fault.bodyIncludes)) continue;
      if (Math.random() >= (active.fault.rate ?? 1)) continue;
      active.remaining -= 1;
      return active.fault;
    }
    return undefined;
  }

  private pipeAnswer(res: ServerResponse, answer: MotoAnswer): void {
    const headers = { ...answer.headers };
    delete headers["transfer-encoding"];
    delete headers["connection"];
    delete headers["keep-alive"];
    // HEAD and 304 carry the length the full answer would have (moto's); 204 none (RFC 9110 section 8.6).
    if (answer.status === 204) delete headers["content-length"];
    else if (res.req.method !== "HEAD" && answer.status !== 304) headers["content-length"] = String(answer.body.length);
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  }

  /** Send a request to moto and buffer its answer. */
  private forward(method: string, url: string, headers: IncomingHttpHeaders, body: Buffer): Promise<MotoAnswer> {
    const started = performance.now();
    const { service, operation } = url.startsWith("/moto-api") || url.startsWith("/_emulator/") ? { service: "moto-api", operation: url.split("?")[0] ?? url } : identifyCall(headers, url, body, method);
    // A client's call carries the SDK's user-agent; the front's own lookups (motoEcs, ecrImage, …) none.
    const origin = headers["user-agent"] === undefined ? " (the front's own)" : "";
    const count = (): void => {
      const key = `${service} ${operation}${origin}`;
      const entry = this.motoCalls.get(key) ?? { count: 0, ms: 0 };
      entry.count += 1;
      entry.ms += performance.now() - started;
      this.motoCalls.set(key, entry);
    };
    this.inFlight += 1;
    const settled = (): void => {
      this.inFlight -= 1;
      if (this.inFlight > 0) return;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    };
    return new Promise<MotoAnswer>((resolve, reject) => {
      const outgoing = { ...headers, host: `127.0.0.1:${this.motoPort}` };
      delete outgoing["connection"];
      if (body.length > 0 || outgoing["content-length"] !== undefined) outgoing["content-length"] = String(body.length);
      delete outgoing["transfer-encoding"];
      const req = httpRequest({ host: "127.0.0.1", port: this.motoPort, method, path: url, headers: outgoing, agent: this.motoAgent }, (res) => {
        readBody(res).then((answer) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: answer }), reject);
      });
      req.on("error", reject);
      req.end(body);
    }).finally(() => {
      count();
      settled();
    });
  }

  /** Call a CloudWatch Logs operation on moto directly (not logged, no faults). */
  private async motoLogs(operation: string, payload: JsonObject): Promise<{ status: number; json: unknown }> {
    const headers: IncomingHttpHeaders = {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `${LOGS_PREFIX}.${operation}`,
      authorization: "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/logs/aws4_request, SignedHeaders=host, Signature=0",
    };
    const answer = await this.forward("POST", "/", headers, Buffer.from(JSON.stringify(payload)));
    return { status: answer.status, json: parseJson(answer.body) };
  }

  /**
   * What the simulated tasks write to moto's CloudWatch Logs (task-logs.ts). Timestamps are the real
   * clock's, strictly increasing per stream: CloudWatch Logs refuses events older than 14 days or more
   * than 2 hours ahead (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html).
   */
  private logsBackend(): LogsBackend {
    const last = new Map<string, number>();
    return {
      groupExists: async (group) => {
        const { status } = await this.motoLogs("DescribeLogStreams", { logGroupName: group, limit: 1 });
        return status === 200;
      },
      createGroup: async (group) => {
        await this.motoLogs("CreateLogGroup", { logGroupName: group });
      },
      put: async (group, stream, lines) => {
        const key = `${group}\n${stream}`;
        await this.motoLogs("CreateLogStream", { logGroupName: group, logStreamName: stream }); // ResourceAlreadyExistsException after the first: fine
        let at = Math.max(Date.now(), (last.get(key) ?? 0) + 1);
        const logEvents = lines.map((message) => ({ timestamp: at++, message }));
        last.set(key, at);
        await this.motoLogs("PutLogEvents", { logGroupName: group, logStreamName: stream, logEvents });
      },
    };
  }

  /** Call an ECS operation on moto directly (not logged, no faults). */
  private async motoEcs(operation: string, payload: JsonObject, authorization?: string): Promise<{ status: number; json: unknown }> {
    const headers: IncomingHttpHeaders = {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `${ECS_PREFIX}.${operation}`,
      authorization:
        authorization ?? "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=0",
    };
    const answer = await this.forward("POST", "/", headers, Buffer.from(JSON.stringify(payload)));
    return { status: answer.status, json: parseJson(answer.body) };
  }

  private async motoSecretsManager(operation: string, payload: JsonObject): Promise<{ status: number; json: unknown }> {
    const headers: IncomingHttpHeaders = {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `secretsmanager.${operation}`,
      authorization: "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=0",
    };
    const answer = await this.forward("POST", "/", headers, Buffer.from(JSON.stringify(payload)));
    return { status: answer.status, json: parseJson(answer.body) };
  }

  /**
   * The versions of a secret that Secrets Manager has removed: it "removes unlabeled versions when
   * there are more than 100, but it does not remove versions created less than 24 hours ago"
   * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html). moto keeps
   * every version, so the emulator hides these (on the simulated clock, `POST /_sim/clock`).
   */
  private async removedSecretVersions(secretId: string): Promise<Set<string>> {
    const versions: JsonObject[] = [];
    let token: string | undefined;
    do {
      const { status, json } = await this.motoSecretsManager("ListSecretVersionIds", { SecretId: secretId, IncludeDeprecated: true, MaxResults: 100, ...(token ? { NextToken: token } : {}) });
      if (status !== 200 || !isJsonObject(json)) return new Set();
      versions.push(...(Array.isArray(json["Versions"]) ? json["Versions"].filter(isJsonObject) : []));
      token = typeof json["NextToken"] === "string" && json["NextToken"] !== "" ? json["NextToken"] : undefined;
    } while (token);
    // Newest first: by creation time, then by the order moto keeps them in (oldest first).
    const ordered = versions.map((version, index) => ({ version, index })).sort((a, b) => Number(b.version["CreatedDate"] ?? 0) - Number(a.version["CreatedDate"] ?? 0) || b.index - a.index);
    const dayAgo = this.sts.now() / 1000 - 24 * 3600;
    const removed = new Set<string>();
    for (const { version } of ordered.slice(100)) {
      const labelled = Array.isArray(version["VersionStages"]) && version["VersionStages"].length > 0;
      if (!labelled && Number(version["CreatedDate"] ?? 0) < dayAgo) removed.add(String(version["VersionId"]));
    }
    return removed;
  }

  /** GetSecretValue of a removed version: not found; ListSecretVersionIds: without the removed ones. Otherwise moto answers. */
  private async simulateSecretsManager(operation: string, req: IncomingMessage, url: string, body: Buffer): Promise<MotoAnswer | undefined> {
    if (operation !== "GetSecretValue" && operation !== "ListSecretVersionIds") return undefined;
    const request = parseJson(body);
    const secretId = isJsonObject(request) && typeof request["SecretId"] === "string" ? request["SecretId"] : "";
    const removed = await this.removedSecretVersions(secretId);
    if (operation === "GetSecretValue") {
      const versionId = isJsonObject(request) ? request["VersionId"] : undefined;
      if (typeof versionId !== "string" || !removed.has(versionId)) return undefined;
      const answer = { __type: "ResourceNotFoundException", Message: `Secrets Manager can't find the specified secret value for VersionId: ${versionId}` };
      return { status: 400, headers: { "content-type": "application/x-amz-json-1.1" }, body: Buffer.from(JSON.stringify(answer)) };
    }
    const answer = await this.forward(req.method ?? "POST", url, req.headers, body);
    const json = parseJson(answer.body);
    if (answer.status !== 200 || !isJsonObject(json) || !Array.isArray(json["Versions"]) || removed.size === 0) return answer;
    const kept = json["Versions"].filter((v) => !(isJsonObject(v) && removed.has(String(v["VersionId"]))));
    return { ...answer, body: Buffer.from(JSON.stringify({ ...json, Versions: kept })) };
  }

  /**
   * What ECS gives a task of the revision `arn` at start: each container's inline environment and
   * its `secrets[]` resolved — Secrets Manager references by ARN, JSON key, version stage and version
   * id (`arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-xxxxxx:json-key:version-stage:version-id`,
   * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html).
   * A version ECS cannot fetch fails the task before it starts, as ECS reports it
   * (https://repost.aws/knowledge-center/ecs-unable-to-pull-secrets). SSM references are left out.
   */
  private async taskEnvironment(arn: string): Promise<{ environment: Record<string, Record<string, string>> } | { failure: string }> {
    const definition = await this.revisionBody(arn);
    const containers = (definition?.containerDefinitions ?? []).filter(isJsonObject);
    const environment: Record<string, Record<string, string>> = {};
    for (const container of containers) {
      const values: Record<string, string> = {};
      for (const entry of Array.isArray(container["environment"]) ? container["environment"].filter(isJsonObject) : []) values[String(entry["name"])] = String(entry["value"] ?? "");
      for (const secret of Array.isArray(container["secrets"]) ? container["secrets"].filter(isJsonObject) : []) {
        const resolved = await this.secretsManagerValue(String(secret["valueFrom"] ?? ""));
        if (resolved === undefined) continue;
        if (typeof resolved !== "string") return resolved;
        values[String(secret["name"])] = resolved;
      }
      environment[String(container["name"] ?? "")] = values;
    }
    return { environment };
  }

  /** One Secrets Manager `valueFrom`, as ECS fetches it; undefined for another kind of reference. */
  private async secretsManagerValue(valueFrom: string): Promise<string | { failure: string } | undefined> {
    const parts = valueFrom.split(":");
    if (parts.length < 7 || parts[2] !== "secretsmanager") return undefined;
    const secretArn = parts.slice(0, 7).join(":");
    const [jsonKey = "", versionStage = "", versionId = ""] = parts.slice(7);
    const fail = (why: string) => ({ failure: `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret ${secretArn} from secrets manager: ${why}` });
    if (versionId !== "" && (await this.removedSecretVersions(secretArn)).has(versionId)) return fail(`ResourceNotFoundException: Secrets Manager can't find the specified secret value for VersionId: ${versionId}`);
    const { status, json } = await this.motoSecretsManager("GetSecretValue", { SecretId: secretArn, ...(versionId !== "" ? { VersionId: versionId } : versionStage !== "" ? { VersionStage: versionStage } : {}) });
    if (status !== 200 || !isJsonObject(json)) return fail(`${isJsonObject(json) ? String(json["__type"] ?? "error") : "error"}: ${isJsonObject(json) ? String(json["message"] ?? json["Message"] ?? "") : ""}`);
    const text = String(json["SecretString"] ?? "");
    if (jsonKey === "") return text;
    const document = parseJson(Buffer.from(text));
    if (!isJsonObject(document) || document[jsonKey] === undefined) return fail(`retrieved secret from Secrets Manager did not contain json key ${jsonKey}`);
    return String(document[jsonKey]);
  }

  /**
   * "You can't use an INACTIVE task definition to run new tasks or create new services, and you
   * can't update an existing service to reference an INACTIVE task definition"
   * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeregisterTaskDefinition.html);
   * ECS answers InvalidParameterException "TaskDefinition is inactive" (moto runs them). A family
   * name means its latest ACTIVE revision, so only a revision named exactly is refused here.
   */
  private async refuseInactive(request: JsonObject): Promise<MotoAnswer | undefined> {
    const reference = request["taskDefinition"];
    if (typeof reference !== "string" || !/:\d+$/.test(reference)) return undefined;
    const { status, json } = await this.cache.status(reference, () => this.motoEcs("DescribeTaskDefinition", { taskDefinition: reference }));
    if (status !== 200 || !isJsonObject(json) || !isJsonObject(json["taskDefinition"])) return undefined;
    return json["taskDefinition"]["status"] === "INACTIVE" ? errorAnswer(400, "InvalidParameterException", "TaskDefinition is inactive") : undefined;
  }

  /** The body of a revision (containers, ARN) as moto has it, kept once read when `reference` names one revision (moto-cache.ts). */
  private revisionBody(reference: string): Promise<RevisionBody | undefined> {
    return this.cache.revision(reference, async () => {
      const { status, json } = await this.motoEcs("DescribeTaskDefinition", { taskDefinition: reference });
      if (status !== 200 || !isJsonObject(json) || !isJsonObject(json["taskDefinition"])) return undefined;
      const definition = json["taskDefinition"];
      const arn = definition["taskDefinitionArn"];
      if (typeof arn !== "string") return undefined;
      return { taskDefinitionArn: arn, containerDefinitions: Array.isArray(definition["containerDefinitions"]) ? definition["containerDefinitions"] : [] };
    });
  }

  /**
   * DescribeTaskDefinition of an INACTIVE revision no service or running task references: ECS answers
   * ClientException "Unable to describe task definition." ("You can only describe INACTIVE task
   * definitions while an active task or service references them":
   * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTaskDefinition.html; the
   * message as ECS words it for a revision it will not show, e.g. hashicorp/terraform-provider-aws#29749).
   * moto describes every revision. The same sentence in ListTaskDefinitions (status INACTIVE) is not
   * modelled: the listing shows every INACTIVE revision (our assumption; deleting INACTIVE revisions,
   * DeleteTaskDefinitions, relies on finding them).
   */
  private async inactiveUnreferenced(request: JsonObject): Promise<boolean> {
    const reference = request["taskDefinition"];
    if (typeof reference !== "string" || !/:\d+$/.test(reference)) return false;
    const { status, json } = await this.cache.status(reference, () => this.motoEcs("DescribeTaskDefinition", { taskDefinition: reference }));
    if (status !== 200 || !isJsonObject(json) || !isJsonObject(json["taskDefinition"])) return false;
    const definition = json["taskDefinition"];
    return definition["status"] === "INACTIVE" && !this.simulation.referencesTaskDefinition(String(definition["taskDefinitionArn"] ?? reference));
  }

  private async describeTaskDefinition(reference: string): Promise<TaskDefinitionInfo | undefined> {
    if (reference === "") return undefined;
    const definition = await this.revisionBody(reference);
    if (definition === undefined) return undefined;
    const arn = definition.taskDefinitionArn;
    const containers = definition.containerDefinitions;
    const images = containers.filter(isJsonObject).flatMap((container) => (typeof container["image"] === "string" ? [container["image"]] : []));
    const named = containers
      .filter(isJsonObject)
      .map((container) => ({
        name: String(container["name"] ?? ""),
        image: String(container["image"] ?? ""),
        essential: container["essential"] !== false,
        ...(container["logConfiguration"] !== undefined ? { logConfiguration: container["logConfiguration"] } : {}),
      }));
    const tagNames = (await Promise.all(images.map((image) => this.ecrTagNames(image)))).flat();
    return { arn, images, containers: named, ...(tagNames.length > 0 ? { tagNames } : {}) };
  }

  /**
   * For an image pinned by digest in moto's ECR (`<registry>/<repository>@sha256:…`): the same image
   * by each tag ECR has for it (`<registry>/<repository>:<tag>`), so a test's rule can name a SHA tag
   * whatever form the revision uses. Empty for any other image.
   */
  private async ecrTagNames(image: string): Promise<string[]> {
    const match = /^((\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+))@(sha256:[0-9a-f]{64})$/.exec(image);
    if (match === null || match[2] !== MOTO_ACCOUNT_ID) return [];
    const [, repositoryUri, , region, repositoryName, digest] = match;
    const headers: IncomingHttpHeaders = {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "AmazonEC2ContainerRegistry_V20150921.DescribeImages",
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20240101/${region ?? "us-east-1"}/ecr/aws4_request, SignedHeaders=host, Signature=0`,
    };
    const request = JSON.stringify({ repositoryName, imageIds: [{ imageDigest: digest }] });
    const answer = await this.cache.ecrRead(`${region ?? ""} DescribeImages ${request}`, () => this.forward("POST", "/", headers, Buffer.from(request)));
    if (answer.status !== 200) return [];
    const json = parseJson(answer.body);
    const first: unknown = isJsonObject(json) && Array.isArray(json["imageDetails"]) ? json["imageDetails"][0] : undefined;
    const tags = isJsonObject(first) && Array.isArray(first["imageTags"]) ? first["imageTags"].filter((t): t is string => typeof t === "string") : [];
    return tags.map((tag) => `${repositoryUri ?? ""}:${tag}`);
  }

  /**
   * Whether an image exists in moto's ECR: true or false for an ECR URI of moto's account
   * (`<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>` or `@<digest>`), undefined for any
   * other image (another registry or account: not ours to judge).
   */
  private async ecrImageExists(image: string): Promise<boolean | undefined> {
    const found = await this.ecrImage(image);
    return found === undefined ? undefined : found !== false;
  }

  /** The digest moto's ECR has for an ECR image of moto's account; undefined otherwise. */
  private async ecrImageDigest(image: string): Promise<string | undefined> {
    const found = await this.ecrImage(image);
    return typeof found === "string" ? found : undefined;
  }

  /** ECR's digest of an image of moto's account ("" when ECR has it without one), false when missing, undefined when not ours. */
  private async ecrImage(image: string): Promise<string | false | undefined> {
    const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)(?::([^@]+))?(?:@(sha256:[0-9a-f]{64}))?$/.exec(image);
    if (match === null) return undefined;
    const [, account, region, repositoryName, tag, digest] = match;
    if (account !== MOTO_ACCOUNT_ID) return undefined;
    const headers: IncomingHttpHeaders = {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "AmazonEC2ContainerRegistry_V20150921.DescribeImages",
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20240101/${region ?? "us-east-1"}/ecr/aws4_request, SignedHeaders=host, Signature=0`,
    };
    const imageId = digest !== undefined ? { imageDigest: digest } : { imageTag: tag ?? "latest" };
    const request = JSON.stringify({ repositoryName, imageIds: [imageId] });
    const answer = await this.cache.ecrRead(`${region ?? ""} DescribeImages ${request}`, () => this.forward("POST", "/", headers, Buffer.from(request)));
    if (answer.status !== 200) return false;
    const json = parseJson(answer.body);
    const details = isJsonObject(json) && Array.isArray(json["imageDetails"]) ? json["imageDetails"] : [];
    const first: unknown = details[0];
    return isJsonObject(first) && typeof first["imageDigest"] === "string" ? first["imageDigest"] : "";
  }

  /** A subnet of moto's default VPC (moto checks subnets against its EC2 backend). */
  private defaultSubnet(region: string): Promise<string | undefined> {
    return this.cache.defaultSubnet(region, () => this.askDefaultSubnet(region));
  }

  private async askDefaultSubnet(region: string): Promise<string | undefined> {
    const headers: IncomingHttpHeaders = {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20240101/${region}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
    };
    const query = "Action=DescribeSubnets&Version=2016-11-15&Filter.1.Name=default-for-az&Filter.1.Value.1=true";
    const answer = await this.forward("POST", "/", headers, Buffer.from(query));
    return /<subnetId>([^<]+)<\/subnetId>/.exec(answer.body.toString("utf8"))?.[1];
  }

  /**
   * RunTask's request as moto gets it: the client's awsvpc subnets and security groups are swapped for
   * a default subnet so that made-up IDs work (moto attaches an ENI to the task); the simulation shows
   * the client's own network configuration. Services need no subnet in moto: see withoutNetwork.
   */
  private async forMoto(request: JsonObject, req: IncomingMessage): Promise<JsonObject> {
    const network = request["networkConfiguration"];
    if (!isJsonObject(network) || !isJsonObject(network["awsvpcConfiguration"])) return request;
    const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(headerValue(req.headers, "authorization") ?? "");
    const subnet = await this.defaultSubnet(scope?.[1] ?? "us-east-1");
    if (subnet === undefined) return request;
    const awsvpc = { ...network["awsvpcConfiguration"], subnets: [subnet], securityGroups: [] };
    return { ...request, networkConfiguration: { ...network, awsvpcConfiguration: awsvpc } };
  }

  /** Handle the ECS operations the simulation owns; undefined = forward unchanged. */
  private async simulateEcs(operation: string, req: IncomingMessage, url: string, body: Buffer): Promise<MotoAnswer | undefined> {
    const request = parseJson(body);
    if (!isJsonObject(request)) return undefined;
    // ECS's documented limits (api-limits.ts): moto takes any number of items and never pages.
    const overLimit = checkRequestLimits(operation, request) ?? (await this.checkTags(operation, request, req));
    if (overLimit !== undefined) return errorAnswer(400, overLimit.error, overLimit.message);
    switch (operation) {
      case "UpdateService": {
        const refused = this.simulation.refuseUpdate(request);
        if (refused !== undefined) {
          const answer = Buffer.from(JSON.stringify({ __type: "InvalidParameterException", message: refused }));
          return { status: 400, headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": randomUUID() }, body: answer };
        }
        // "you can't update an existing service to reference an INACTIVE task definition"; a scale
        // (no taskDefinition) of a service on one still succeeds
        // (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeregisterTaskDefinition.html).
        const inactive = await this.refuseInactive(request);
        if (inactive !== undefined) return inactive;
        break;
      }
      case "CreateService": {
        const inactive = await this.refuseInactive(request);
        if (inactive !== undefined) return inactive;
        break;
      }
      case "ListServices":
      case "ListClusters":
      case "DescribeServices":
      case "DeleteService":
      case "DescribeTasks":
      case "StopTask":
        break;
      case "RunTask":
        if (this.simulation.takeUnseenRead(typeof request["taskDefinition"] === "string" ? request["taskDefinition"] : undefined)) return unknownTaskDefinition();
        return (await this.refuseInactive(request)) ?? this.runTask(request, req, url);
      case "DescribeTaskDefinition":
        if (this.simulation.takeUnseenRead(typeof request["taskDefinition"] === "string" ? request["taskDefinition"] : undefined)) return unknownTaskDefinition();
        if (await this.inactiveUnreferenced(request)) return unknownTaskDefinition();
        return this.lateTags.size === 0 ? undefined : this.tagsOneReadLate(operation, request, req, url, body);
      case "ListTasks":
        // "When you specify startedBy as the filter, it must be the only filter that you use" (moto
        // accepts any mix): https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTasks.html
        if (request["startedBy"] !== undefined && ["family", "serviceName", "containerInstance"].some((key) => request[key] !== undefined)) {
          return errorAnswer(400, "InvalidParameterException", "startedBy must be the only filter when listing tasks.");
        }
        break;
      // ECS's service deployment record (moto has none): answered by the simulation alone.
      case "ListServiceDeployments":
        return ecsAnswer(this.simulation.listServiceDeployments(request));
      case "DescribeServiceDeployments":
        return ecsAnswer(this.simulation.describeServiceDeployments(request));
      case "DescribeServiceRevisions":
        return ecsAnswer(this.simulation.describeServiceRevisions(request));
      case "StopServiceDeployment":
        return ecsAnswer(this.simulation.stopServiceDeployment(request));
      case "ContinueServiceDeployment":
        return ecsAnswer(this.simulation.continueServiceDeployment(request));
      case "RegisterTaskDefinition":
        return this.serially(async () => {
          const answer = await this.forward("POST", url, req.headers, body);
          if (answer.status === 200) {
            const registered = parseJson(answer.body);
            if (isJsonObject(registered) && isJsonObject(registered["taskDefinition"])) this.cache.registered(registered["taskDefinition"], FRONT_READS);
            await this.simulation.noteRegistration(registered, (image) => this.ecrTagNames(image));
          }
          return answer;
        });
      case "ListTaskDefinitions":
        return this.listTaskDefinitions(request, req, url);
      case "TagResource":
      case "ListTagsForResource":
        return this.tagsOneReadLate(operation, request, req, url, body);
      default:
        return undefined;
    }
    const motoRequest = operation === "CreateService" || operation === "UpdateService" ? withoutNetwork(request) : PAGED_LISTS[operation] !== undefined ? withoutPaging(request) : request;
    const motoBody = motoRequest === request ? body : Buffer.from(JSON.stringify(motoRequest));
    const answer = await this.forward("POST", url, req.headers, motoBody);
    const json = parseJson(answer.body);
    if (answer.status !== 200 || !isJsonObject(json)) return answer;
    let out: JsonObject = json;
    const service = json["service"];
    if (operation === "CreateService" && isJsonObject(service)) {
      out = { ...json, service: await this.simulation.createService(request, service) };
    } else if (operation === "UpdateService" && isJsonObject(service)) {
      out = { ...json, service: await this.simulation.updateService(request, service) };
    } else if (operation === "DeleteService" && isJsonObject(service)) {
      this.simulation.deleteService(service);
    } else if (operation === "DescribeServices" && Array.isArray(json["services"])) {
      const services: unknown[] = [];
      for (const item of json["services"]) services.push(isJsonObject(item) ? await this.simulation.describeService(item) : item);
      out = { ...json, services };
    } else if (operation === "DescribeTasks" && Array.isArray(json["tasks"])) {
      const { tasks, stopped } = this.simulation.describeTasks(json["tasks"]);
      const cluster = typeof request["cluster"] === "string" ? request["cluster"] : "default";
      const authorization = headerValue(req.headers, "authorization");
      for (const task of stopped) {
        await this.motoEcs("StopTask", { cluster, task, reason: "Essential container in task exited" }, authorization);
      }
      // The stopped tasks of failed deployments live only in the simulation (moto reports them MISSING).
      const simulated = this.simulation.describeServiceTasks(Array.isArray(request["tasks"]) ? request["tasks"].filter((arn): arn is string => typeof arn === "string") : []);
      const known = new Set(simulated.map((task) => task["taskArn"]));
      const failures = Array.isArray(json["failures"]) ? json["failures"].filter((failure) => !(isJsonObject(failure) && known.has(failure["arn"]))) : json["failures"];
      out = { ...json, tasks: [...tasks, ...simulated], ...(failures === undefined ? {} : { failures }) };
    } else if (operation === "ListTasks" && Array.isArray(json["taskArns"])) {
      // The stopped tasks of failed deployments live only in the simulation.
      out = { ...json, taskArns: [...json["taskArns"], ...this.simulation.listServiceTasks(request)] };
    } else if (operation === "StopTask") {
      out = { ...json, task: this.simulation.stopTask(request, json["task"]) };
    }
    if (PAGED_LISTS[operation] !== undefined) out = pageOf(operation, request, out);
    return { ...answer, body: Buffer.from(JSON.stringify(out)) };
  }

  /**
   * At most 50 tags a resource (api-limits.ts): the tags of a RegisterTaskDefinition or CreateService,
   * or a TagResource's with the resource's own (read from moto).
   */
  private async checkTags(operation: string, request: JsonObject, req: IncomingMessage): Promise<ReturnType<typeof checkTagCount>> {
    if (!["RegisterTaskDefinition", "CreateService", "TagResource"].includes(operation) || !Array.isArray(request["tags"])) return undefined;
    const keys = (tags: unknown): string[] => (Array.isArray(tags) ? tags.map((tag) => (isJsonObject(tag) && typeof tag["key"] === "string" ? tag["key"] : "")) : []);
    let existing: string[] = [];
    if (operation === "TagResource" && typeof request["resourceArn"] === "string") {
      const before = await this.motoEcs("ListTagsForResource", { resourceArn: request["resourceArn"] }, headerValue(req.headers, "authorization"));
      existing = isJsonObject(before.json) ? keys(before.json["tags"]) : [];
    }
    return checkTagCount(existing, keys(request["tags"]));
  }

  /** Call an ECR operation on moto directly, as the caller (not logged, no faults). */
  private async motoEcr(operation: string, payload: JsonObject, req: IncomingMessage): Promise<{ status: number; json: unknown }> {
    const headers: IncomingHttpHeaders = {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `${ECR_PREFIX}.${operation}`,
      authorization: headerValue(req.headers, "authorization") ?? "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/ecr/aws4_request, SignedHeaders=host, Signature=0",
    };
    const answer = await this.forward("POST", "/", headers, Buffer.from(JSON.stringify(payload)));
    return { status: answer.status, json: parseJson(answer.body) };
  }

  /**
   * ECR where moto is kinder than ECR; undefined = forward unchanged.
   * - PutImage of a tag the repository already has, in a repository whose tags are immutable
   *   (IMMUTABLE, or IMMUTABLE_WITH_EXCLUSION for a tag no exclusion filter matches, or
   *   MUTABLE_WITH_EXCLUSION for one that a filter matches), is refused with
   *   ImageTagAlreadyExistsException — even for the same manifest (aws/containers-roadmap#2179).
   *   https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html; moto
   *   ignores it or answers ImageAlreadyExistsException (getmoto/moto#8717).
   * - BatchGetImage answers an image index or a Docker manifest list only when the caller's
   *   acceptedMediaTypes include its type; ECR's conversions cover single manifests only
   *   (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-manifest-formats.html); moto
   *   ignores acceptedMediaTypes. What real ECR answers instead is not documented: here the image
   *   is a failure (ImageNotFound) naming its media type.
   */
  private async simulateEcr(operation: string, req: IncomingMessage, url: string, body: Buffer): Promise<MotoAnswer | undefined> {
    const request = parseJson(body);
    if (!isJsonObject(request) || typeof request["repositoryName"] !== "string") return undefined;
    const repository = request["repositoryName"];
    if (operation === "PutImage" && typeof request["imageTag"] === "string") {
      const tag = request["imageTag"];
      const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(headerValue(req.headers, "authorization") ?? "")?.[1] ?? "";
      const described = await this.cache.repository(`${scope} ${repository}`, () => this.motoEcr("DescribeRepositories", { repositoryNames: [repository] }, req));
      const repo = isJsonObject(described.json) && Array.isArray(described.json["repositories"]) ? described.json["repositories"][0] : undefined;
      if (!isJsonObject(repo) || !tagIsImmutable(repo, tag)) return undefined;
      const existing = await this.motoEcr("DescribeImages", { repositoryName: repository, imageIds: [{ imageTag: tag }] }, req);
      if (existing.status !== 200) return undefined;
      return ecrError(
        "ImageTagAlreadyExistsException",
        `The image tag '${tag}' already exists in the '${repository}' repository and cannot be overwritten because the repository is immutable.`,
      );
    }
    if (operation === "BatchGetImage") {
      const answer = await this.forward("POST", url, req.headers, body);
      const json = parseJson(answer.body);
      if (answer.status !== 200 || !isJsonObject(json) || !Array.isArray(json["images"])) return answer;
      const accepted = Array.isArray(request["acceptedMediaTypes"]) ? request["acceptedMediaTypes"] : SINGLE_MANIFEST_TYPES;
      const images: unknown[] = [];
      const failures: unknown[] = Array.isArray(json["failures"]) ? [...json["failures"]] : [];
      for (const image of json["images"]) {
        const type = isJsonObject(image) ? manifestMediaType(image) : undefined;
        if (type !== undefined && INDEX_TYPES.has(type) && !accepted.includes(type) && isJsonObject(image)) {
          failures.push({ imageId: image["imageId"], failureCode: "ImageNotFound", failureReason: `the image's media type ${type} is not among the accepted media types` });
        } else images.push(image);
      }
      return { ...answer, body: Buffer.from(JSON.stringify({ ...json, images, failures })) };
    }
    return undefined;
  }

  /**
   * moto numbers revisions without a lock: concurrent RegisterTaskDefinition calls can get the same
   * revision. ECS never does that, so registrations go to moto one at a time.
   */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.registrations.then(work, work);
    this.registrations = next.catch(() => undefined);
    return next;
  }

  /**
   * ListTaskDefinitions as ECS pages it: moto ignores `sort`, `maxResults` and `nextToken` and
   * answers everything oldest first. Ask moto for the whole (family, status) list and page it here:
   * sorted by family, then revision (ASC by default), at most `maxResults` (1–100, default 100).
   */
  private async listTaskDefinitions(request: JsonObject, req: IncomingMessage, url: string): Promise<MotoAnswer> {
    const motoRequest: JsonObject = {};
    if (typeof request["familyPrefix"] === "string") motoRequest["familyPrefix"] = request["familyPrefix"];
    if (typeof request["status"] === "string") motoRequest["status"] = request["status"];
    const answer = await this.forward("POST", url, req.headers, Buffer.from(JSON.stringify(motoRequest)));
    const json = parseJson(answer.body);
    if (answer.status !== 200 || !isJsonObject(json) || !Array.isArray(json["taskDefinitionArns"])) return answer;
    const key = (arn: string): [string, number] => {
      const match = /task-definition\/(.+):(\d+)$/.exec(arn);
      return [match?.[1] ?? arn, Number(match?.[2] ?? 0)];
    };
    const arns = json["taskDefinitionArns"].filter((arn): arn is string => typeof arn === "string");
    arns.sort((a, b) => {
      const [familyA, revisionA] = key(a);
      const [familyB, revisionB] = key(b);
      return familyA === familyB ? revisionA - revisionB : familyA < familyB ? -1 : 1;
    });
    if (request["sort"] === "DESC") arns.reverse();
    const offset = typeof request["nextToken"] === "string" ? Number(Buffer.from(request["nextToken"], "base64").toString("utf8")) || 0 : 0;
    const pageSize = typeof request["maxResults"] === "number" ? Math.min(Math.max(request["maxResults"], 1), 100) : 100;
    const page = arns.slice(offset, offset + pageSize);
    const out: JsonObject = { taskDefinitionArns: page };
    if (offset + pageSize < arns.length) out["nextToken"] = Buffer.from(String(offset + pageSize)).toString("base64");
    return { ...answer, body: Buffer.from(JSON.stringify(out)) };
  }

  /**
   * Tags one read late (`lateTags`, on request): TagResource remembers the tags as they were, and the
   * next ListTagsForResource or DescribeTaskDefinition (include TAGS) of that resource answers with
   * them (eventual consistency, see ConsistencySettings).
   */
  private async tagsOneReadLate(operation: string, request: JsonObject, req: IncomingMessage, url: string, body: Buffer): Promise<MotoAnswer> {
    const authorization = headerValue(req.headers, "authorization");
    if (operation === "TagResource" && this.simulation.getConsistency().lateTags && typeof request["resourceArn"] === "string") {
      const before = await this.motoEcs("ListTagsForResource", { resourceArn: request["resourceArn"] }, authorization);
      const tags = isJsonObject(before.json) && Array.isArray(before.json["tags"]) ? before.json["tags"] : [];
      if (before.status === 200 && !this.lateTags.has(request["resourceArn"])) this.lateTags.set(request["resourceArn"], tags);
    }
    const answer = await this.forward("POST", url, req.headers, body);
    const json = parseJson(answer.body);
    if (operation === "TagResource" || answer.status !== 200 || !isJsonObject(json)) return answer;
    const definition = json["taskDefinition"];
    const arn = operation === "ListTagsForResource" ? request["resourceArn"] : isJsonObject(definition) ? definition["taskDefinitionArn"] : undefined;
    if (typeof arn !== "string" || !this.lateTags.has(arn)) return answer;
    if (operation === "DescribeTaskDefinition" && !(Array.isArray(request["include"]) && request["include"].includes("TAGS"))) return answer;
    const late = this.lateTags.get(arn) ?? [];
    this.lateTags.delete(arn);
    return { ...answer, body: Buffer.from(JSON.stringify({ ...json, tags: late })) };
  }

  /** RunTask: moto can only place FARGATE tasks, so ask it for those and overlay what was asked. */
  private async runTask(request: JsonObject, req: IncomingMessage, url: string): Promise<MotoAnswer> {
    const failure = await this.simulation.runTaskFailure(request);
    if (failure !== undefined) {
      const body = Buffer.from(JSON.stringify({ tasks: [], failures: [{ reason: failure }] }));
      return { status: 200, headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": randomUUID() }, body };
    }
    const motoRequest: JsonObject = { ...(await this.forMoto(request, req)), launchType: "FARGATE" };
    delete motoRequest["capacityProviderStrategy"];
    const answer = await this.forward("POST", url, req.headers, Buffer.from(JSON.stringify(motoRequest)));
    const json = parseJson(answer.body);
    if (answer.status !== 200 || !isJsonObject(json) || !Array.isArray(json["tasks"])) return answer;
    const tasks = await this.simulation.runTasks(request, json["tasks"]);
    return { ...answer, body: Buffer.from(JSON.stringify({ ...json, tasks })) };
  }

  /** Empty moto, the simulation, the rules, the faults and the call log. */
  async reset(): Promise<void> {
    this.cache.clear();
    const answer = await this.forward("POST", "/moto-api/reset", {}, Buffer.alloc(0));
    this.cache.clear();
    if (answer.status !== 200) throw new Error(`moto reset answered ${answer.status}`);
    this.simulation.reset();
    this.sts.reset();
    this.lateTags.clear();
    this.faults = [];
    this.log = [];
    this.latencyMs = 0;
    this.connectionMs = 0;
    this.handshakes = new WeakMap();
    this.generation += 1;
    this.state = "";
    this.recording = undefined;
  }

  /**
   * `POST /_sim/restore {"name"}`: on an emulator in a known state (as a reset left it, or as a snapshot
   * left it, with nothing called or changed since), put back the snapshot `name` taken from that state,
   * moto's state and the front's, and answer the value stored with it. Without such a snapshot, it
   * starts recording one (`POST /_sim/snapshot` takes it); an emulator in no known state is left as it is.
   */
  private async restoreSnapshot(name: string): Promise<{ restored: true; value: unknown } | { restored: false; recording: boolean }> {
    if (this.state === undefined) return { restored: false, recording: false };
    const key = this.state === "" ? name : `${this.state}/${name}`;
    const snapshot = this.snapshots.get(key);
    if (snapshot === undefined) {
      this.recording = { name, key, generation: this.generation };
      return { restored: false, recording: true };
    }
    await this.idle();
    const answer = await this.forward("POST", `/_emulator/restore/${key}`, {}, Buffer.alloc(0));
    if (answer.status !== 200) throw new Error(`moto restore answered ${answer.status}: ${answer.body.toString("utf8")}`);
    this.simulation.restore(snapshot.simulation);
    this.sts.restore(snapshot.sts);
    this.cache.restore(snapshot.cache);
    const copy = structuredClone({ lateTags: snapshot.lateTags, faults: snapshot.faults, log: snapshot.log, value: snapshot.value });
    this.lateTags = copy.lateTags;
    this.faults = copy.faults;
    this.log = copy.log;
    this.latencyMs = snapshot.latencyMs;
    this.connectionMs = snapshot.connectionMs;
    this.state = key;
    this.recording = undefined;
    return { restored: true, value: copy.value };
  }

  /**
   * `POST /_sim/snapshot {"name", "value"}`: take the snapshot that `POST /_sim/restore` started
   * recording under `name`, with no reset since: moto's state, the front's and `value`.
   */
  private async takeSnapshot(name: string, value: unknown): Promise<string | undefined> {
    const recording = this.recording;
    if (recording === undefined || recording.generation !== this.generation || recording.name !== name) {
      return `no snapshot ${name} is being recorded: POST /_sim/restore on an emulator just reset, or just put back to a snapshot, starts one`;
    }
    this.recording = undefined;
    const { key } = recording;
    const cache = await this.cache.snapshot();
    await this.idle();
    const answer = await this.forward("POST", `/_emulator/snapshot/${key}`, {}, Buffer.alloc(0));
    if (answer.status !== 200) return `moto took no snapshot: ${answer.body.toString("utf8")}`;
    const front = structuredClone({ lateTags: this.lateTags, faults: this.faults, log: this.log, value });
    this.snapshots.set(key, { simulation: this.simulation.snapshot(), sts: this.sts.snapshot(), cache, ...front, latencyMs: this.latencyMs, connectionMs: this.connectionMs });
    this.state = key;
    return undefined;
  }

  /**
   * Resolves once no request of the front's to moto is in flight: moto takes no lock while it serves a
   * request, so one served during a snapshot or a restore could be half copied or lost.
   */
  private idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async control(method: string, url: string, body: Buffer, res: ServerResponse): Promise<void> {
    const path = url.split("?")[0];
    const input = body.length === 0 ? {} : parseJson(body);
    const name = isJsonObject(input) ? input["name"] : undefined;
    if (method === "POST" && path !== "/_sim/reset" && path !== "/_sim/restore" && path !== "/_sim/snapshot") this.state = undefined;
    if (method === "POST" && path === "/_sim/reset") {
      await this.reset();
      sendJson(res, 200, { reset: true });
    } else if (method === "POST" && (path === "/_sim/restore" || path === "/_sim/snapshot")) {
      if (typeof name !== "string" || !SNAPSHOT_NAME.test(name)) sendJson(res, 400, { error: `${path.slice(6)}.name must be 1 to 200 letters, digits or . _ : -` });
      else if (path === "/_sim/restore") sendJson(res, 200, await this.restoreSnapshot(name));
      else {
        const refused = await this.takeSnapshot(name, isJsonObject(input) ? input["value"] : undefined);
        if (refused === undefined) sendJson(res, 200, { snapshot: name });
        else sendJson(res, 409, { error: refused });
      }
    } else if (method === "POST" && path === "/_sim/rules") {
      const rule = parseRule(input);
      if (typeof rule === "string") sendJson(res, 400, { error: rule });
      else {
        this.simulation.addRule(rule);
        sendJson(res, 200, { rules: this.simulation.listRules() });
      }
    } else if (method === "GET" && path === "/_sim/rules") {
      sendJson(res, 200, { rules: this.simulation.listRules() });
    } else if (method === "POST" && path === "/_sim/faults") {
      if (isJsonObject(input) && input["clear"] === true) {
        this.faults = [];
        sendJson(res, 200, { faults: [] });
        return;
      }
      const fault = parseFault(input);
      if (typeof fault === "string") sendJson(res, 400, { error: fault });
      else {
        this.faults.push({ fault, remaining: fault.count ?? Number.POSITIVE_INFINITY });
        sendJson(res, 200, { faults: this.faults.map((active) => active.fault) });
      }
    } else if (method === "POST" && path === "/_sim/consistency") {
      const settings = parseConsistency(input);
      if (typeof settings === "string") sendJson(res, 400, { error: settings });
      else sendJson(res, 200, this.simulation.setConsistency(settings));
    } else if (method === "POST" && path === "/_sim/images") {
      if (!isJsonObject(input) || typeof input["missingImagesFail"] !== "boolean") sendJson(res, 400, { error: "images.missingImagesFail must be true or false" });
      else sendJson(res, 200, { missingImagesFail: this.simulation.setMissingImagesFail(input["missingImagesFail"]) });
    } else if (method === "POST" && path === "/_sim/latency") {
      const ms = isJsonObject(input) ? input["ms"] : undefined;
      const connectionMs = isJsonObject(input) ? (input["connectionMs"] ?? 0) : undefined;
      const valid = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 10_000;
      if (!valid(ms) || !valid(connectionMs)) sendJson(res, 400, { error: "latency.ms and latency.connectionMs (default 0) must be integers from 0 to 10000" });
      else sendJson(res, 200, { ms: (this.latencyMs = ms), connectionMs: (this.connectionMs = connectionMs) });
    } else if (method === "POST" && path === "/_sim/scale") {
      const { cluster, service, desiredCount } = isJsonObject(input) ? input : {};
      if (typeof service !== "string" || typeof desiredCount !== "number" || !Number.isInteger(desiredCount) || desiredCount < 0) {
        sendJson(res, 400, { error: "scale needs service (name), desiredCount (integer >= 0) and optionally cluster (default: default)" });
      } else if (!this.simulation.autoScale(typeof cluster === "string" ? cluster : "default", service, desiredCount)) {
        sendJson(res, 404, { error: `no simulated service ${service}` });
      } else sendJson(res, 200, { service, desiredCount });
    } else if (method === "GET" && path === "/_sim/consistency") {
      sendJson(res, 200, this.simulation.getConsistency());
    } else if (method === "GET" && path === "/_sim/log") {
      sendJson(res, 200, this.log);
    } else if (method === "GET" && path === "/_sim/moto-calls") {
      const hits = Object.entries(this.cache.hits).map(([kind, count]) => [`cache hit: ${kind}`, { count, ms: 0 }]);
      sendJson(res, 200, Object.fromEntries([...[...this.motoCalls].map(([key, { count, ms }]) => [key, { count, ms: Math.round(ms) }]), ...hits]));
    } else if (path === "/_sim/clock" && (method === "GET" || method === "POST")) {
      const advance = isJsonObject(input) ? input["advanceSeconds"] : undefined;
      if (method === "POST" && (typeof advance !== "number" || !Number.isFinite(advance) || advance < 0)) {
        sendJson(res, 400, { error: "clock.advanceSeconds must be a number >= 0" });
        return;
      }
      if (method === "POST" && typeof advance === "number") this.sts.advance(advance * 1000);
      sendJson(res, 200, { now: this.sts.now() });
    } else if (method === "GET" && path === "/_sim/environment") {
      const query = new URLSearchParams(url.includes("?") ? url.slice(url.indexOf("?") + 1) : "");
      sendJson(res, 200, this.simulation.serviceEnvironment(query.get("cluster") ?? "", query.get("service") ?? "") ?? null);
    } else if (method === "GET" && path === "/_sim/sessions") {
      sendJson(res, 200, this.sts.listSessions());
    } else if (method === "GET" && path === "/_sim/tasks") {
      sendJson(res, 200, this.simulation.listTasks());
    } else {
      sendJson(res, 404, { error: `no control endpoint ${method} ${path ?? ""}` });
    }
  }
}

function unescapeXml(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
}

/** Media types that are an index of manifests, not an image (ECR converts neither). */
const INDEX_TYPES = new Set(["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"]);
/** What BatchGetImage accepts without acceptedMediaTypes: the documented single-manifest types. */
const SINGLE_MANIFEST_TYPES = [
  "application/vnd.docker.distribution.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
];

function manifestMediaType(image: JsonObject): string | undefined {
  if (typeof image["imageManifestMediaType"] === "string") return image["imageManifestMediaType"];
  const manifest = typeof image["imageManifest"] === "string" ? parseJson(Buffer.from(image["imageManifest"])) : undefined;
  return isJsonObject(manifest) && typeof manifest["mediaType"] === "string" ? manifest["mediaType"] : undefined;
}

/** ECR's WILDCARD exclusion filter: `*` matches any run of characters, everything else itself. */
function wildcardMatches(filter: string, tag: string): boolean {
  const pattern = filter.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, "\\$&")).join(".*");
  return new RegExp(`^${pattern}$`).test(tag);
}

/** Whether `tag` is immutable in a repository as DescribeRepositories describes it. */
export function tagIsImmutable(repository: JsonObject, tag: string): boolean {
  const mutability = repository["imageTagMutability"];
  const filters = Array.isArray(repository["imageTagMutabilityExclusionFilters"]) ? repository["imageTagMutabilityExclusionFilters"] : [];
  const excluded = filters.some((filter) => isJsonObject(filter) && typeof filter["filter"] === "string" && wildcardMatches(filter["filter"], tag));
  if (mutability === "IMMUTABLE") return true;
  if (mutability === "IMMUTABLE_WITH_EXCLUSION") return !excluded;
  if (mutability === "MUTABLE_WITH_EXCLUSION") return excluded;
  return false;
}

function ecrError(type: string, message: string): MotoAnswer {
  const body = Buffer.from(JSON.stringify({ __type: type, message }));
  return { status: 400, headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": randomUUID() }, body };
}

/**
 * A service's request as moto gets it: without its awsvpc network configuration. The simulation keeps
 * and shows the client's own (ecs-simulation.ts); moto would only check the subnets against its EC2
 * backend, whose default VPC it builds anew after every reset (most of a seed's time, for nothing the
 * simulation uses). RunTask still gets a real default subnet (forMoto): moto attaches an ENI to a task.
 */
function withoutNetwork(request: JsonObject): JsonObject {
  if (request["networkConfiguration"] === undefined) return request;
  const { networkConfiguration: _network, ...rest } = request;
  return rest;
}

/** Runs `act` at `from`, epoch milliseconds, or now when that has passed. */
function notBefore(from: number, act: () => void): void {
  const wait = from - Date.now();
  if (wait <= 0) act();
  else setTimeout(act, wait);
}

/** Holds a call's answer until `from`, epoch milliseconds (the latency stand-in). */
function holdAnswer(res: ServerResponse, from: number): void {
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = ((...args: unknown[]) => {
    notBefore(from, () => end(...args));
    return res;
  }) as ServerResponse["end"];
}
