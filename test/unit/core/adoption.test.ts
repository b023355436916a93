import type { Service } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { adoptionWarnings, checkAdoption, findAdoption, hasReleaseRecord, type AdoptionFinding, type AdoptionSource } from "../../../src/core/adoption.js";
import { isValidationError } from "../../../src/core/errors.js";
import { TAG } from "../../../src/core/tags.js";
import type { ContainerDefinitionInput } from "../../../src/core/template.js";

const arn = (revision: string): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/${revision}`;
const service = (name: string, revision: string): Service => ({ serviceName: name, taskDefinition: arn(revision) });
const RECORD = { [TAG.releasedAt]: "2026-12-01T00:00:00.000Z", [TAG.version]: "0.1.0" };

function source(extra: { revision?: string; tags?: Record<string, string>; runs?: string[]; before?: ContainerDefinitionInput[]; after?: ContainerDefinitionInput[]; fromFile?: boolean }): AdoptionSource {
  const before = extra.before ?? [{ name: "app", environment: [{ name: "DJANGO_SETTINGS_MODULE", value: "platform.settings" }, { name: "LOG_LEVEL", value: "info" }] }, { name: "log-router", environment: [{ name: "FLB", value: "1" }] }];
  const after = extra.after ?? [{ name: "app", environment: [{ name: "LOG_LEVEL", value: "debug" }] }, { name: "log-router", environment: [{ name: "FLB", value: "1" }] }];
  return {
    sourceFamily: "web",
    services: (extra.runs ?? ["web:1"]).map((revision, i) => service(`s${i}`, revision)),
    template: { source: arn(extra.revision ?? "web:1"), tags: {}, input: { family: "web", containerDefinitions: before } },
    fromFile: extra.fromFile ?? false,
    containers: ["app"],
    rendered: { input: { family: "web", containerDefinitions: after } },
    recordTags: extra.tags ?? {},
  };
}

describe("hasReleaseRecord", () => {
  it.each<[string, Record<string, string>, boolean]>([
    ["no tags: registered by hand, Terraform, CDK", {}, false],
    ["someone else's tags only", { team: "payments" }, false],
    ["released-at", { [TAG.releasedAt]: "2026-01-01T00:00:00Z" }, true],
    ["version", { [TAG.version]: "0.1.0" }, true],
    ["keep alone is a person's mark, not a release", { [TAG.keep]: "true" }, false],
  ])("%s → %s", (_name, tags, expected) => {
    expect(hasReleaseRecord(tags)).toBe(expected);
  });
});

describe("findAdoption", () => {
  it("a revision with ecs-release's record: nothing to adopt, whatever the release removes", () => {
    expect(findAdoption(source({ tags: RECORD }))).toBeUndefined();
  });

  it("a template file is named explicitly (and keeps its literal environment): nothing to adopt", () => {
    expect(findAdoption(source({ fromFile: true }))).toBeUndefined();
  });

  it("the running revision, registered by hand: the application container's variables the release drops, sidecars aside", () => {
    expect(findAdoption(source({}))).toEqual<AdoptionFinding>({ family: "web", revision: "web:1", running: true, runs: ["web:1"], removals: ["DJANGO_SETTINGS_MODULE"] });
  });

  it("counts `secrets` entries the release drops too", () => {
    const found = findAdoption(source({ before: [{ name: "app", secrets: [{ name: "API_KEY", valueFrom: "arn:aws:secretsmanager:…" }] }], after: [{ name: "app", environment: [] }] }));
    expect(found?.removals).toEqual(["API_KEY"]);
  });

  it("a newer revision nobody runs, registered outside ecs-release: not running, and what runs is named", () => {
    expect(findAdoption(source({ revision: "web:5", runs: ["web:4", "web:4"] }))).toEqual<AdoptionFinding>({ family: "web", revision: "web:5", running: false, runs: ["web:4"], removals: ["DJANGO_SETTINGS_MODULE"] });
  });
});

describe("checkAdoption", () => {
  const adopting: AdoptionFinding = { family: "web", revision: "web:1", running: true, runs: ["web:1"], removals: ["DJANGO_SETTINGS_MODULE", "SENTRY_ENV"] };
  const slipped: AdoptionFinding = { family: "web", revision: "web:5", running: false, runs: ["web:4"], removals: [] };

  it("nothing to adopt: no line, no refusal", () => {
    expect(checkAdoption([], "/platform/prod", { adopt: false, approvedPlan: false })).toEqual([]);
  });

  it("refuses (exit 2) a first release over a hand-written revision, listing what it would drop and the one way on", () => {
    const error = (() => {
      try {
        checkAdoption([adopting], "/platform/prod", { adopt: false, approvedPlan: false });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isValidationError(error)).toBe(true);
    expect((error as Error).message).toBe(
      "web:1 was not registered by ecs-release, and releasing from it would remove DJANGO_SETTINGS_MODULE, SENTRY_ENV (not in SSM under /platform/prod): nothing was written. " +
        "Move them into SSM or pass --env NAME=VALUE, check with --dry-run, then release with --adopt (or with the approved --plan-file)",
    );
  });

  it("refuses a revision slipped in after the running one, naming both", () => {
    expect(() => checkAdoption([slipped], "/platform/prod", { adopt: false, approvedPlan: false })).toThrow(
      "web:5 was not registered by ecs-release and no service runs it (they run web:4): nothing was written. Check web:5 (aws ecs describe-task-definition --task-definition web:5), then release with --adopt (or with the approved --plan-file), or name a template with --template web=FILE",
    );
  });

  it("--adopt or the approved plan covers both; the lines say what was adopted", () => {
    expect(checkAdoption([adopting, slipped], "/platform/prod", { adopt: true, approvedPlan: false })).toEqual([
      "adopting web:1 (not registered by ecs-release; --adopt): removing DJANGO_SETTINGS_MODULE, SENTRY_ENV",
      "adopting web:5 (not registered by ecs-release, runs nowhere; --adopt)",
    ]);
    expect(checkAdoption([slipped], "/platform/prod", { adopt: false, approvedPlan: true })).toEqual(["adopting web:5 (not registered by ecs-release, runs nowhere; as the approved plan showed)"]);
  });

  it("the dry run warns with the same facts and says what the release will need", () => {
    expect(adoptionWarnings([adopting], "/platform/prod", false)).toEqual([
      "web:1 was not registered by ecs-release: the release would remove DJANGO_SETTINGS_MODULE, SENTRY_ENV (not in SSM under /platform/prod; move them into SSM or pass --env NAME=VALUE), and needs --adopt (or this plan, approved, with --plan-file)",
    ]);
    expect(adoptionWarnings([slipped], "/platform/prod", true)).toEqual(["web:5 was not registered by ecs-release and no service runs it (they run web:4): adopted with --adopt"]);
  });
});
