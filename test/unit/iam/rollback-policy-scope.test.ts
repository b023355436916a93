/**
 * The rollback job's policy against what rollback and prune read: every cluster of the region's
 * services (a revision is "in use" when any of them runs it). Per AWS's Service Authorization
 * Reference for ECS (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html):
 * ListServices has no resource type (Resource "*", condition key ecs:cluster), DescribeServices takes
 * the service ARN (arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME), ListClusters has no resource type.
 * A small evaluator of Allow statements (Resource wildcards, ArnLike/ArnEquals on ecs:cluster) is
 * enough here; the full evaluation of every call belongs to the IAM simulation suite.
 */
import { describe, expect, it } from "vitest";
import { fillPlaceholders, policyDocument, POLICIES, type PolicyStatement } from "../../../src/iam/policies.js";

const VALUES = { Region: "us-east-1", Account: "123456789012", Cluster: "prod", Family: "web" };
const statements = fillPlaceholders(policyDocument(POLICIES.rollback), VALUES).Statement;

function wildcard(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return regex.test(value);
}

function allows(action: string, resource: string, context: Record<string, string>): boolean {
  return statements.some((s: PolicyStatement) => {
    if (!s.Action.includes(action)) return false;
    const resources = typeof s.Resource === "string" ? [s.Resource] : (s.Resource ?? []);
    if (!resources.some((r) => wildcard(r, resource))) return false;
    for (const [operator, keys] of Object.entries(s.Condition ?? {})) {
      for (const [key, expected] of Object.entries(keys)) {
        const actual = context[key];
        const values = typeof expected === "string" ? [expected] : expected;
        if (actual === undefined) return false;
        if (operator === "ArnEquals" && !values.includes(actual)) return false;
        if (operator === "ArnLike" && !values.some((v) => wildcard(v, actual))) return false;
        if (!["ArnEquals", "ArnLike"].includes(operator)) return false;
      }
    }
    return true;
  });
}

const cluster = (name: string, region = "us-east-1", account = "123456789012"): string => `arn:aws:ecs:${region}:${account}:cluster/${name}`;

describe("rollback policy: the region-wide in-use check", () => {
  it.each(["prod", "staging"])("lists and describes the services of cluster %s", (name) => {
    expect(allows("ecs:ListClusters", "*", {})).toBe(true);
    expect(allows("ecs:ListServices", "*", { "ecs:cluster": cluster(name) })).toBe(true);
    expect(allows("ecs:DescribeServices", `arn:aws:ecs:us-east-1:123456789012:service/${name}/web`, { "ecs:cluster": cluster(name) })).toBe(true);
  });

  it("stays read-only outside its cluster, and inside its account and region", () => {
    const toWeb = { "ecs:task-definition": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3" };
    expect(allows("ecs:UpdateService", "arn:aws:ecs:us-east-1:123456789012:service/prod/web", { "ecs:cluster": cluster("prod"), ...toWeb })).toBe(true);
    expect(allows("ecs:UpdateService", "arn:aws:ecs:us-east-1:123456789012:service/staging/web", { "ecs:cluster": cluster("staging"), ...toWeb })).toBe(false);
    expect(allows("ecs:ListServices", "*", { "ecs:cluster": cluster("prod", "eu-west-1") })).toBe(false);
    expect(allows("ecs:DescribeServices", "arn:aws:ecs:us-east-1:999999999999:service/prod/web", { "ecs:cluster": cluster("prod", "us-east-1", "999999999999") })).toBe(false);
  });
});
