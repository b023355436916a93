import { describe, expect, it } from "vitest";
import { parseSecretsManagerValueFrom, pinnedSecretVersions, referenceSnapshot, snapshotDocument, snapshotSecretName, snapshotValueFrom } from "../../../src/core/secret-snapshot.js";

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
