import { describe, expect, it } from "vitest";
import { goneSecretVersions, type GoneSecretVersions } from "../../../src/core/prune-selection.js";
import type { RevisionRecord } from "../../../src/core/revision-record.js";

const ARN = (revision: number): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${revision}`;
const S1 = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecs-release/platform/prod-AbCdEf";
const S2 = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecs-release/platform/staging-GhIjKl";
const rev = (revision: number, secretVersions?: Record<string, string[]>): RevisionRecord => ({ arn: ARN(revision), family: "web", revision, status: "ACTIVE", tags: {}, ...(secretVersions ? { secretVersions } : {}) });

describe("goneSecretVersions", () => {
  const have = new Map<string, ReadonlySet<string>>([
    [S1, new Set(["v1", "v2"])],
    [S2, new Set(["a"])],
  ]);
  type Row = [string, RevisionRecord[], [string, GoneSecretVersions[]][]];
  it.each<Row>([
    ["no revisions", [], []],
    ["a revision pinning nothing", [rev(1), rev(2, {})], []],
    ["every pinned version still there", [rev(1, { [S1]: ["v1", "v2"], [S2]: ["a"] })], []],
    ["a secret whose versions are not known is not called gone", [rev(1, { "arn:aws:secretsmanager:us-east-1:123456789012:secret:other-XyZ": ["x"] })], []],
    ["the missing versions, in order", [rev(1, { [S1]: ["v0", "v1", "v9"] })], [[ARN(1), [{ secretArn: S1, versionIds: ["v0", "v9"] }]]]],
    [
      "per revision and per secret, only the secrets with a missing version",
      [rev(3, { [S1]: ["v1"], [S2]: ["b"] }), rev(2, { [S1]: ["old"], [S2]: ["gone"] }), rev(1, { [S1]: ["v2"] })],
      [
        [ARN(3), [{ secretArn: S2, versionIds: ["b"] }]],
        [ARN(2), [{ secretArn: S1, versionIds: ["old"] }, { secretArn: S2, versionIds: ["gone"] }]],
      ],
    ],
  ])("%s", (_name, revisions, expected) => {
    expect([...goneSecretVersions(revisions, have)]).toStrictEqual(expected);
  });
});
