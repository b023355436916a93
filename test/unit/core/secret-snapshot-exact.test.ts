import { describe, expect, it } from "vitest";
import { needsExecutionRole, referencesPath } from "../../../src/core/render-task-definition.js";
import { parseSecretsManagerValueFrom, pinnedSecretVersions, snapshotReferences, snapshotValues } from "../../../src/core/secret-snapshot.js";
import type { TaskDefinitionInput } from "../../../src/core/template.js";

const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf";

describe("parseSecretsManagerValueFrom, exact", () => {
  it.each<[string, string, ReturnType<typeof parseSecretsManagerValueFrom>]>([
    ["a pinned JSON key", `${SECRET}:PASSWORD::v1`, { secretArn: SECRET, jsonKey: "PASSWORD", versionStage: "", versionId: "v1" }],
    ["the whole secret", SECRET, { secretArn: SECRET, jsonKey: "", versionStage: "", versionId: "" }],
    ["not starting with arn", `x${SECRET}`, undefined],
    ["another service's ARN", "arn:aws:ssm:us-east-1:123456789012:secret:db-AbCdEf", undefined],
    ["another resource type", "arn:aws:secretsmanager:us-east-1:123456789012:other:db-AbCdEf", undefined],
    ["too few parts", "arn:aws:secretsmanager:us-east-1:123456789012:secret", undefined],
  ])("%s", (_name, valueFrom, expected) => expect(parseSecretsManagerValueFrom(valueFrom)).toStrictEqual(expected));
});

describe("pinnedSecretVersions, exact", () => {
  const SNAPSHOT = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecs-release/platform/prod-AbCdEf";
  it("takes the version ids given of ecs-release's snapshots, not the references without one, nor the team's own secrets", () => {
    const pinned = pinnedSecretVersions([{ secrets: [{ valueFrom: `${SNAPSHOT}:PASSWORD::` }, { valueFrom: `${SNAPSHOT}:USER::v1` }, { valueFrom: `${SECRET}:USER::v2` }, { valueFrom: "/app/prod/DB" }] }]);
    expect([...pinned].map(([arn, ids]) => [arn, [...ids]])).toStrictEqual([[SNAPSHOT, ["v1"]]]);
  });
});

describe("snapshotValues, exact", () => {
  it.each<[string, string, string[]]>([
    ["a document null", "null", []],
    ["not JSON", "{", []],
    ["a list", '["x"]', []],
    ["the keys asked, non-empty strings only", '{"A":"1","B":"","C":2}', ["1"]],
  ])("%s", (_name, document, expected) => expect(snapshotValues(document, ["A", "B", "C"])).toStrictEqual(expected));
});

describe("referencesPath, exact", () => {
  it.each<[string, string, string, boolean]>([
    ["a parameter ARN with its account", "arn:aws:ssm:us-east-1:123456789012:parameter/app/prod/DB", "/app/prod", true],
    ["a bare name is no path, even under /", "DB", "/", false],
    ["a path under /", "/app/prod/DB", "/", true],
  ])("%s", (_name, valueFrom, ssmPath, expected) => expect(referencesPath(valueFrom, ssmPath)).toBe(expected));
});

describe("needsExecutionRole, exact", () => {
  it("when some container has secrets, not all", () => {
    const input = { family: "web", containerDefinitions: [{ name: "a", secrets: [{ name: "X", valueFrom: "/p/X" }] }, { name: "b" }] } as unknown as TaskDefinitionInput;
    expect(needsExecutionRole(input)).toBe(true);
  });
});

describe("snapshotReferences, exact", () => {
  it("one entry per snapshot version, its keys sorted; not a reference without a key, nor another secret", () => {
    const S = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecs-release/app/prod-AbCdEf";
    const refs = snapshotReferences([{ secrets: [{ valueFrom: `${S}:B::v1` }, { valueFrom: `${S}:A::v1` }, { valueFrom: `${S}:A::v2` }, { valueFrom: `${S}:::v3` }, { valueFrom: `${SECRET}:X::v1` }] }]);
    expect(refs).toStrictEqual([
      { secretArn: S, versionId: "v1", keys: ["A", "B"] },
      { secretArn: S, versionId: "v2", keys: ["A"] },
    ]);
  });
});
