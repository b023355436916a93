/**
 * One error hierarchy for ecs-release. Each class maps to an exit code of the CLI contract
 * (../shared/spec/cli.md): only `cli/` catches these, prints one line and exits with `exitCode`.
 */

/** Exit codes of the CLI contract. */
export const ExitCode = {
  ok: 0,
  deploymentFailed: 1,
  badInput: 2,
  awsCallFailed: 3,
  timedOut: 4,
  interrupted: 130,
} as const;

/** Base of every error ecs-release raises on purpose. */
export class EcsReleaseError extends Error {
  /** The process exit code this error maps to. */
  readonly exitCode: number = ExitCode.deploymentFailed;
  /** The command's partial result, printed as the JSON document under --json (set at creation only). */
  readonly result?: unknown;

  constructor(message: string, options?: { cause?: unknown; result?: unknown }) {
    super(message, options);
    this.name = "EcsReleaseError";
    if (options?.result !== undefined) this.result = options.result;
  }
}

/** Bad flags, variables or configuration, found before anything was written to AWS (exit 2). */
export class ValidationError extends EcsReleaseError {
  override readonly exitCode = ExitCode.badInput;
  /** Every individual problem, when several were found at once. */
  readonly problems: readonly string[];

  constructor(message: string, options?: { cause?: unknown; problems?: readonly string[]; result?: unknown }) {
    super(message, options);
    this.name = "ValidationError";
    this.problems = options?.problems ?? [];
  }
}

/** The rollout (or a one-off task) failed (exit 1). */
export class DeploymentFailedError extends EcsReleaseError {
  override readonly exitCode = ExitCode.deploymentFailed;

  constructor(message: string, options?: { cause?: unknown; result?: unknown }) {
    super(message, options);
    this.name = "DeploymentFailedError";
  }
}

/** An AWS call failed after the SDK's retries (exit 3). Names the operation and the resource. */
export class AwsCallError extends EcsReleaseError {
  override readonly exitCode = ExitCode.awsCallFailed;
  readonly operation: string;
  readonly resource: string;
  /** The AWS error code (`ThrottlingException`, `AccessDeniedException`, ...), when known. */
  readonly code: string | undefined;

  constructor(operation: string, resource: string, message: string, options?: { cause?: unknown; code?: string; result?: unknown }) {
    super(`${operation} ${resource} failed: ${message}`, options);
    this.name = "AwsCallError";
    this.operation = operation;
    this.resource = resource;
    this.code = options?.code;
  }
}

/** Waiting ran past its deadline (exit 4). The message carries the state at the deadline. */
export class WaitTimeoutError extends EcsReleaseError {
  override readonly exitCode = ExitCode.timedOut;

  constructor(message: string, options?: { cause?: unknown; result?: unknown }) {
    super(message, options);
    this.name = "WaitTimeoutError";
  }
}

/** The process was interrupted (SIGINT/SIGTERM) while waiting; nothing was cancelled in AWS. */
export class InterruptedError extends EcsReleaseError {
  override readonly exitCode = ExitCode.interrupted;

  constructor(message: string, options?: { cause?: unknown; result?: unknown }) {
    super(message, options);
    this.name = "InterruptedError";
  }
}

/** True for any error of ours (checks `name` too, so it holds across bundle copies). */
export function isEcsReleaseError(error: unknown): error is EcsReleaseError {
  return error instanceof EcsReleaseError || (error instanceof Error && typeof (error as { exitCode?: unknown }).exitCode === "number" && /Error$/.test(error.name));
}

/**
 * Type guards, one per error class: each also checks `name`, so it holds for an error created by
 * another copy of this module (two bundles in one process, or a test importing the source).
 */
function guard<T extends EcsReleaseError>(type: abstract new (...args: never[]) => T, name: string): (error: unknown) => error is T {
  return (error: unknown): error is T => error instanceof type || (isEcsReleaseError(error) && error.name === name);
}
export const isValidationError = guard(ValidationError, "ValidationError");
export const isDeploymentFailedError = guard(DeploymentFailedError, "DeploymentFailedError");
export const isAwsCallError = guard(AwsCallError, "AwsCallError");
export const isWaitTimeoutError = guard(WaitTimeoutError, "WaitTimeoutError");
export const isInterruptedError = guard(InterruptedError, "InterruptedError");

/**
 * A new error of the same class as `error`, its message followed by `note`, with `error` as its cause
 * and `result` attached: how a command adds what it knows to an error without changing it.
 */
export function withContext(error: EcsReleaseError, note: string, result: unknown): EcsReleaseError {
  const options = { cause: error, result };
  if (isAwsCallError(error)) {
    const detail = error.message.startsWith(`${error.operation} ${error.resource} failed: `) ? error.message.slice(`${error.operation} ${error.resource} failed: `.length) : error.message;
    return new AwsCallError(error.operation, error.resource, `${detail}${note}`, { ...options, ...(error.code !== undefined ? { code: error.code } : {}) });
  }
  const message = `${error.message}${note}`;
  if (isValidationError(error)) return new ValidationError(message, { ...options, problems: error.problems });
  if (isDeploymentFailedError(error)) return new DeploymentFailedError(message, options);
  if (isWaitTimeoutError(error)) return new WaitTimeoutError(message, options);
  if (isInterruptedError(error)) return new InterruptedError(message, options);
  return new EcsReleaseError(message, options);
}
