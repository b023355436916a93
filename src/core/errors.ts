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
  /** The command's partial result, printed as the JSON document under --json. */
  result?: unknown;

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

  constructor(message: string, options?: { cause?: unknown; problems?: readonly string[] }) {
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

  constructor(operation: string, resource: string, message: string, options?: { cause?: unknown; code?: string }) {
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
