import type { Service } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../src/core/errors.js";
import { checkRollbackServices, rollbackRunKey, rolledBackByRun } from "../../../src/core/rollback-plan.js";
import { TAG } from "../../../src/core/tags.js";

const service = (name: string, extra: Partial<Service> = {}): Service => ({ serviceName: name, status: "ACTIVE", taskDefinition: `arn:aws:ecs:us-east-1:123456789012:task-definition/${name}:3`, ...extra });

describe("checkRollbackServices", () => {
  it.each<[string, Service[], string[], RegExp | undefined]>([
    ["ECS services", [service("web"), service("worker", { deploymentController: { type: "ECS" } })], [], undefined],
    ["no controller given (ECS's default)", [service("web")], [], undefined],
    ["a missing service", [service("web")], ["ghost"], /^rollback: not found in cluster prod: ghost \(check --service\)$/],
    ["a DRAINING service", [service("web", { status: "DRAINING" })], [], /not found in cluster prod: web \(DRAINING\)/],
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html: no task definition change for these.
    ["a CODE_DEPLOY service", [service("web"), service("api", { deploymentController: { type: "CODE_DEPLOY" } })], [], /^rollback: api uses the CODE_DEPLOY deployment controller: ecs-release rolls back services with the ECS \(rolling update\) controller only/],
    ["an EXTERNAL service", [service("web", { deploymentController: { type: "EXTERNAL" } })], [], /web uses the EXTERNAL deployment controller/],
  ])("%s", (_title, services, missing, error) => {
    const check = (): void => checkRollbackServices("prod", services, missing);
    if (error === undefined) expect(check).not.toThrow();
    else {
      expect(check).toThrow(ValidationError);
      expect(check).toThrow(error);
    }
  });
});

describe("rollbackRunKey", () => {
  it.each<[string, Record<string, string>, string | undefined]>([
    ["outside CircleCI", {}, undefined],
    ["pipeline id and job", { CIRCLE_PIPELINE_ID: "9f1c", CIRCLE_JOB: "rollback", CIRCLE_WORKFLOW_ID: "w-1" }, "pipeline 9f1c job rollback"],
    // The workflow id changes on a re-run; the key must not.
    ["the same after a re-run (new workflow id)", { CIRCLE_PIPELINE_ID: "9f1c", CIRCLE_JOB: "rollback", CIRCLE_WORKFLOW_ID: "w-2" }, "pipeline 9f1c job rollback"],
    ["only the pipeline number the orb passes", { CIRCLE_PIPELINE_NUM: "42", CIRCLE_JOB: "rollback" }, "pipeline #42 job rollback"],
    ["a pipeline without a job name", { CIRCLE_PIPELINE_ID: "9f1c" }, "pipeline 9f1c"],
  ])("%s", (_title, env, key) => {
    expect(rollbackRunKey(env)).toBe(key);
  });

  it("matches the recorded tag, at most 256 characters", () => {
    const key = rollbackRunKey({ CIRCLE_PIPELINE_ID: "p", CIRCLE_JOB: "j".repeat(300) });
    expect(key).toHaveLength(256);
    expect(rolledBackByRun({ [TAG.rollbackRun]: key! }, key)).toBe(true);
    expect(rolledBackByRun({ [TAG.rollbackRun]: "pipeline other job rollback" }, key)).toBe(false);
    expect(rolledBackByRun({ [TAG.rollbackRun]: key! }, undefined)).toBe(false);
  });
});
