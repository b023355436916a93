import type { Service } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../src/core/errors.js";
import { checkRollbackServices } from "../../../src/core/rollback-plan.js";

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
