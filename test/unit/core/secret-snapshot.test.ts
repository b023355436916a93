import { describe, expect, it } from "vitest";
import { parseSecretsManagerValueFrom, pinnedSecretVersions, referenceSnapshot, snapshotDocument, inlineSnapshotValues, snapshotReferences, snapshotSecretName, snapshotValueFrom, snapshotValues, snapshotVersionKey } from "../../../src/core/secret-snapshot.js";

const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecs-release/platform/prod-AbCdEf";
const VERSION = { arn: ARN, versionId: "EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE" };

describe("the SecureStrings snapshot (--secure-strings secretsmanager)", () => {
  it("names one secret per environment and documents only the SecureStrings, keys sorted", () => {
    expect(snapshotSecretName("/platform/prod")).toBe("ecs-release/platform/prod");
    const document = snapshotDocument([
      { name: "Z_TOKEN", value: "t", secure: true },
      { name: "LOG_LEVEL", value: "info", secure: false },
      { name: "A_PASSWORD", value: 'p"w', secure: true },
    ]);
    expect(document).toBe('{"A_PASSWORD":"p\\"w","Z_TOKEN":"t"}');
  });

  it("references a JSON key of one version as ECS documents it: ARN:json-key:version-stage:version-id", () => {
    expect(snapshotValueFrom(VERSION, "DB")).toBe(`${ARN}:DB::${VERSION.versionId}`);
    expect(parseSecretsManagerValueFrom(`${ARN}:DB::${VERSION.versionId}`)).toEqual({ secretArn: ARN, jsonKey: "DB", versionStage: "", versionId: VERSION.versionId });
    expect(parseSecretsManagerValueFrom(ARN)).toEqual({ secretArn: ARN, jsonKey: "", versionStage: "", versionId: "" });
    expect(parseSecretsManagerValueFrom("arn:aws:ssm:us-east-1:123456789012:parameter/platform/prod/DB")).toBeUndefined();
    expect(parseSecretsManagerValueFrom("/platform/prod/DB")).toBeUndefined();
  });

  it("moves every inline SecureString to secrets[] (other variables and secrets stay), and reads the versions back", () => {
    const input = {
      family: "web",
      containerDefinitions: [
        { name: "app", environment: [{ name: "DB", value: "s3cr3t" }, { name: "MODE", value: "prod" }], secrets: [{ name: "OTHER", valueFrom: "arn:aws:ssm:us-east-1:1:parameter/x" }] },
        { name: "sidecar", environment: [{ name: "MODE", value: "prod" }] },
      ],
    };
    const referenced = referenceSnapshot(input, ["DB"], VERSION);
    expect(JSON.stringify(referenced)).not.toContain("s3cr3t");
    expect(referenced.containerDefinitions[0]).toEqual({
      name: "app",
      environment: [{ name: "MODE", value: "prod" }],
      secrets: [
        { name: "DB", valueFrom: `${ARN}:DB::${VERSION.versionId}` },
        { name: "OTHER", valueFrom: "arn:aws:ssm:us-east-1:1:parameter/x" },
      ],
    });
    expect(referenced.containerDefinitions[1]).toBe(input.containerDefinitions[1]);
    expect(pinnedSecretVersions(referenced.containerDefinitions)).toEqual(new Map([[ARN, new Set([VERSION.versionId])]]));
    expect(pinnedSecretVersions(input.containerDefinitions)).toEqual(new Map());
  });
});

describe("what run-task reads back to mask (the snapshot versions a revision references)", () => {
  const OTHER = "arn:aws:secretsmanager:us-east-1:123456789012:secret:team/api-key-XyZ123";
  it("groups ecs-release's snapshot references by version with their keys; others, unpinned ones and SSM are left out", () => {
    const containers = [
      { secrets: [{ valueFrom: snapshotValueFrom(VERSION, "database_PASSWORD") }, { valueFrom: `${OTHER}:key::v1` }, { valueFrom: "arn:aws:ssm:us-east-1:123456789012:parameter/platform/prod/X" }] },
      { secrets: [{ valueFrom: snapshotValueFrom(VERSION, "api_KEY") }, { valueFrom: `${ARN}:NO_VERSION::` }] },
      {},
    ];
    expect(snapshotReferences(containers)).toEqual([{ secretArn: ARN, versionId: VERSION.versionId, keys: ["api_KEY", "database_PASSWORD"] }]);
    expect(snapshotReferences([{ secrets: [{ valueFrom: `${OTHER}:key::v1` }] }])).toEqual([]);
  });

  it.each<[string, string, string[], string[]]>([
    ["the referenced keys' values", '{"A":"one","B":"two","C":"three"}', ["A", "C"], ["one", "three"]],
    ["a key the document lacks, an empty or non-string value", '{"A":"","B":7}', ["A", "B", "Z"], []],
    ["not JSON", "plain", ["A"], []],
    ["a JSON array", '["A"]', ["0"], []],
  ])("snapshotValues: %s", (_what, document, keys, values) => {
    expect(snapshotValues(document, keys)).toEqual(values);
  });
});

describe("inlineSnapshotValues (to compare values: the dry run's diff, a re-release's drift)", () => {
  it("turns each reference to a known version into the value it names; unknown versions and other secrets stay references", () => {
    const other = { arn: ARN, versionId: "OTHER000-90ab-cdef-fedc-ba987EXAMPLE" };
    const containers = [
      {
        name: "app",
        environment: [{ name: "LOG_LEVEL", value: "info" }],
        secrets: [
          { name: "database_PASSWORD", valueFrom: snapshotValueFrom(VERSION, "database_PASSWORD") },
          { name: "api_KEY", valueFrom: snapshotValueFrom(other, "api_KEY") },
          { name: "SSM", valueFrom: "arn:aws:ssm:us-east-1:123456789012:parameter/x" },
        ],
      },
      { name: "sidecar" },
    ];
    const documents = new Map([[snapshotVersionKey(ARN, VERSION.versionId), '{"database_PASSWORD":"pw-1","api_KEY":"k-1"}']]);
    const [app, sidecar] = inlineSnapshotValues(containers, documents);
    expect(app?.environment).toEqual([{ name: "LOG_LEVEL", value: "info" }, { name: "database_PASSWORD", value: "pw-1" }]);
    expect(app?.secrets?.map((s) => s.name)).toEqual(["api_KEY", "SSM"]);
    expect(sidecar).toBe(containers[1]);
    expect(inlineSnapshotValues(containers, new Map())[0]).toBe(containers[0]);
  });
});
