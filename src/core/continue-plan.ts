/**
 * What `continue` acts on: each service's newest service deployment, IN_PROGRESS and held by a PAUSE
 * lifecycle hook in AWAITING_ACTION — the two things ContinueServiceDeployment requires ("The pause hook
 * must be in AWAITING_ACTION status", "The deployment must be in the IN_PROGRESS state":
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/continue-service-deployment.html). Pure.
 */
import type { ServiceDeployment } from "@aws-sdk/client-ecs";

/** A deployment waiting at a PAUSE hook. */
export interface PausedDeployment {
  readonly service: string;
  readonly serviceDeploymentArn: string;
  readonly hookId: string;
  readonly stage: string | null;
  /** The service revision it deploys (green). */
  readonly targetRevisionArn: string;
}

/** The pause of the service's newest deployment, or why there is none to continue. */
export function findPause(service: string, newest: ServiceDeployment | undefined): PausedDeployment | { readonly problem: string } {
  if (newest?.serviceDeploymentArn === undefined) return { problem: `${service}: ECS has no service deployment of it to continue` };
  const stage = newest.lifecycleStage ?? null;
  const hook = (newest.lifecycleHookDetails ?? []).find((h) => h.status === "AWAITING_ACTION");
  if (newest.status !== "IN_PROGRESS" || hook?.hookId === undefined) {
    const hooks = (newest.lifecycleHookDetails ?? []).map((h) => `${h.targetType ?? "hook"} ${h.status ?? ""}`).join(", ");
    return { problem: `${service}: its newest service deployment is ${newest.status ?? "?"}${stage !== null ? ` in ${stage}` : ""}${hooks !== "" ? ` (${hooks})` : ""}, not paused at a PAUSE hook: nothing to continue` };
  }
  return { service, serviceDeploymentArn: newest.serviceDeploymentArn, hookId: hook.hookId, stage, targetRevisionArn: newest.targetServiceRevision?.arn ?? "" };
}

/** The line that says what continue does. */
export function continueLine(paused: PausedDeployment, action: "continue" | "rollback", green: string, blue: string | undefined): string {
  const where = paused.stage !== null ? ` at ${paused.stage}` : "";
  return action === "continue"
    ? `${paused.service}: ContinueServiceDeployment CONTINUE of the deployment of ${green} paused${where} (hook ${paused.hookId})`
    : `${paused.service}: ContinueServiceDeployment ROLLBACK of the deployment of ${green} paused${where} (hook ${paused.hookId}); ECS returns the service to ${blue ?? "its previous revision"}`;
}
