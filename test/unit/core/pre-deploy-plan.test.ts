import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../src/core/errors.js";
import {
  checkPreDeployContainer,
  choosePreDeployRevision,
  concurrentMigrationWarning,
  preDeployContainer,
  preDeployFailureNote,
  preDeployOutcome,
  type MigrationContext,
  type PreDeployEnd,
} from "../../../src/core/pre-deploy-plan.js";

const web = { family: "web", containers: ["app"], containerNames: ["app", "log-router"], services: ["web", "web-canary"] };
const worker = { family: "worker", containers: ["app", "jobs"], containerNames: ["app", "jobs", "envoy"], services: ["worker"] };
const bare = { family: "bare", containers: [], containerNames: [], services: ["bare"] };

describe("choosePreDeployRevision", () => {
  it.each<[string, (typeof web)[], string, string | undefined]>([
    ["the family of the first service", [web, worker], "worker", "worker"],
    ["a service sharing a family with another", [worker, web], "web-canary", "web"],
    ["a service no revision names: the first revision", [worker, web], "ghost", "worker"],
    ["no revisions: nothing to run", [], "web", undefined],
  ])("%s", (_title, revisions, service, family) => {
    expect(choosePreDeployRevision(revisions, service)?.family).toBe(family);
  });
});

describe("preDeployContainer / checkPreDeployContainer", () => {
  it.each<[string, typeof web, string | undefined, string | undefined, string | RegExp]>([
    // [title, revision, --pre-deploy-container, container for RunTask (undefined: run-task chooses), container the overrides are sized for | error]
    ["the only application container", web, undefined, "app", "app"],
    ["the requested one", web, "log-router", "log-router", "log-router"],
    ["several application containers: run-task chooses; sized for the first container", worker, undefined, undefined, "app"],
    ["a requested container the revision lacks", web, "api", "api", /^--pre-deploy-container api: web has no such container; it has app, log-router$/],
    ["a revision with no containers", bare, "app", "app", /^--pre-deploy-container app: bare has no such container; it has none$/],
    ["a revision with no containers and none requested", bare, undefined, undefined, ""],
  ])("%s", (_title, revision, requested, forRunTask, checked) => {
    expect(preDeployContainer(revision, requested)).toBe(forRunTask);
    if (checked instanceof RegExp) {
      expect(() => checkPreDeployContainer(revision, requested)).toThrow(ValidationError);
      expect(() => checkPreDeployContainer(revision, requested)).toThrow(checked);
    } else expect(checkPreDeployContainer(revision, requested)).toBe(checked);
  });
});

describe("concurrentMigrationWarning", () => {
  const now = Date.parse("2026-12-02T01:00:00Z");
  const context: MigrationContext = { cluster: "prod", region: "eu-west-1", family: "web", force: false, now };
  const task = {
    taskArn: "arn:aws:ecs:eu-west-1:123456789012:task/prod/0123abcd",
    taskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7",
    lastStatus: "RUNNING",
    createdAt: new Date(now - 5 * 60_000),
  };
  it.each<[string, (typeof task)[], Partial<MigrationContext>, string | RegExp | undefined]>([
    ["none running: nothing to say", [], {}, undefined],
    ["none running, --force: nothing to say", [], { force: true }, undefined],
    [
      "one running: refused, with how to wait for it or stop it",
      [task],
      {},
      /^an ecs-release task of web is still running in cluster prod: 0123abcd \(web:7, RUNNING, started 5m00s ago\); a migration must not run twice at once: wait for it \(aws ecs wait tasks-stopped --region eu-west-1 --cluster prod --tasks arn:aws:ecs:eu-west-1:123456789012:task\/prod\/0123abcd\) or stop it \(aws ecs stop-task .*--force to run beside it$/,
    ],
    ["one running, --force: a warning", [task], { force: true }, "an ecs-release task of web is still running in cluster prod: 0123abcd (web:7, RUNNING, started 5m00s ago); --force: running the pre-deploy command beside it"],
    [
      "a task ECS has not placed yet (no status, no creation time)",
      [{ ...task, lastStatus: undefined as unknown as string, createdAt: undefined as unknown as Date }],
      { force: true },
      "an ecs-release task of web is still running in cluster prod: 0123abcd (web:7, PROVISIONING); --force: running the pre-deploy command beside it",
    ],
  ])("%s", (_title, running, extra, expected) => {
    const decide = (): string | undefined => concurrentMigrationWarning(running, { ...context, ...extra });
    if (expected instanceof RegExp) {
      expect(decide).toThrow(ValidationError);
      expect(decide).toThrow(expected);
    } else expect(decide()).toBe(expected);
  });
});

describe("preDeployOutcome / preDeployFailureNote", () => {
  const arns = ["arn:aws:ecs:us-east-1:123456789012:task-definition/web:2", "arn:aws:ecs:us-east-1:123456789012:task-definition/worker:5"];
  it.each<[string, PreDeployEnd, "failed" | "not-released" | null, string]>([
    ["the command exited non-zero: the revision is bad", { failed: true, blame: "revision" }, "failed", "; no service was updated (web:2, worker:5 registered but not rolled out)"],
    ["a failure without a result: the revision is blamed", { failed: true, blame: null }, "failed", "; no service was updated (web:2, worker:5 registered but not rolled out)"],
    [
      "a Spot interruption or no capacity: not the revision's fault",
      { failed: true, blame: "infrastructure" },
      "not-released",
      "; no service was updated (web:2, worker:5 registered but not rolled out); not the revision's fault (the infrastructure's): release again when ECS has capacity",
    ],
    ["a timeout: the outcome is not known, nothing tagged", { failed: false, blame: null }, null, "; no service was updated (web:2, worker:5 registered but not rolled out)"],
    ["bad input found at RunTask: nothing tagged", { failed: false, blame: "infrastructure" }, null, "; no service was updated (web:2, worker:5 registered but not rolled out)"],
  ])("%s", (_title, end, outcome, note) => {
    expect(preDeployOutcome(end)).toBe(outcome);
    expect(preDeployFailureNote(end, arns)).toBe(note);
  });
});
