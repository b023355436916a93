/**
 * The pre-flight check (cli.md, `verify`; release before it registers anything): what ECS will need
 * to start a new revision, read from the revision alone. Pure: commands/preflight.ts does the reads.
 *
 * What ECS needs, and how a task fails without it:
 * - the task execution role (executionRoleArn) must exist and trust `ecs-tasks.amazonaws.com`
 *   (sts:AssumeRole), or ECS cannot pull from ECR, write awslogs or read `secrets` for the task
 *   (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html);
 * - the awslogs driver writes to an existing log group unless `awslogs-create-group` is `true`
 *   (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html); without it the
 *   task stops before it starts with `ResourceInitializationError: failed to validate logger args: …
 *   ResourceNotFoundException: The specified log group does not exist.`
 *   (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/resource-initialization-error.html);
 * - every `secrets[].valueFrom` must name a parameter that exists (ECS reads it at task start:
 *   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html);
 * - every image in the account's own ECR must exist (CannotPullContainerError otherwise).
 */
import type { ContainerDefinition } from "@aws-sdk/client-ecs";
import { ValidationError } from "./errors.js";
import { plural } from "./plural.js";

/** The checks, by the name `--skip-check` takes. */
export const PREFLIGHT_CHECKS = ["execution-role", "log-groups", "secrets", "images"] as const;

/** One check. */
export type PreflightCheck = (typeof PREFLIGHT_CHECKS)[number];

/** The service principal an execution role must trust (sts:AssumeRole). */
export const ECS_TASKS_PRINCIPAL = "ecs-tasks.amazonaws.com";

/** A revision as it is about to be registered (RegisterTaskDefinition's input). */
export interface PreflightRevision {
  readonly family: string;
  readonly executionRoleArn?: string | undefined;
  readonly containerDefinitions: readonly Pick<ContainerDefinition, "name" | "image" | "logConfiguration" | "secrets">[];
}

/** An awslogs log group a container writes to. */
export interface LogGroupNeed {
  readonly container: string;
  readonly group: string;
  /** `awslogs-region`; undefined: the task's region. */
  readonly region: string | undefined;
  /** `awslogs-create-group` is `true`: the driver creates the group itself. */
  readonly createsGroup: boolean;
}

/** A `secrets` reference to an SSM parameter. */
export interface ParameterNeed {
  readonly container: string;
  /** The variable the container gets. */
  readonly variable: string;
  readonly valueFrom: string;
  /** The parameter's name (`/app/prod/DB_PASSWORD`), as DescribeParameters filters it. */
  readonly parameter: string;
}

/** What one revision needs from outside it. */
export interface PreflightNeeds {
  readonly family: string;
  readonly executionRoleArn: string | undefined;
  readonly logGroups: readonly LogGroupNeed[];
  readonly parameters: readonly ParameterNeed[];
  /** `secrets` references that are not SSM parameters of this account and region (Secrets Manager, …): not checked. */
  readonly uncheckedSecrets: readonly string[];
  readonly images: readonly string[];
}

/** Where the release runs: a `valueFrom` ARN of another account or region is not ours to read. */
export interface PreflightPlace {
  readonly region: string;
  readonly account: string | undefined;
}

/**
 * The SSM parameter name a `valueFrom` names: a name as is, or the parameter of an SSM ARN of this
 * region (`arn:aws:ssm:REGION:ACCOUNT:parameter/app/prod/X` → `/app/prod/X`; a name without a slash
 * has none in its ARN either: https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-access.html).
 * Undefined for Secrets Manager and other services, and for another account or region.
 */
export function ssmParameterName(valueFrom: string, place: PreflightPlace): string | undefined {
  if (!valueFrom.startsWith("arn:")) return valueFrom;
  const match = /^arn:aws[\w-]*:ssm:([a-z0-9-]+):(\d{12}):parameter\/(.+)$/.exec(valueFrom);
  if (!match?.[1] || !match[2] || !match[3]) return undefined;
  if (match[1] !== place.region || (place.account !== undefined && match[2] !== place.account)) return undefined;
  return match[3].includes("/") ? `/${match[3]}` : match[3];
}

/** What a revision needs: its execution role, its awslogs groups, its SSM `secrets`, its images. */
export function preflightNeeds(revision: PreflightRevision, place: PreflightPlace): PreflightNeeds {
  const logGroups: LogGroupNeed[] = [];
  const parameters: ParameterNeed[] = [];
  const uncheckedSecrets: string[] = [];
  for (const container of revision.containerDefinitions) {
    const name = container.name ?? "";
    const config = container.logConfiguration;
    const group = config?.options?.["awslogs-group"];
    if (config?.logDriver === "awslogs" && group) {
      logGroups.push({ container: name, group, region: config.options?.["awslogs-region"], createsGroup: config.options?.["awslogs-create-group"] === "true" });
    }
    for (const secret of container.secrets ?? []) {
      const valueFrom = secret.valueFrom ?? "";
      const parameter = ssmParameterName(valueFrom, place);
      if (parameter === undefined) uncheckedSecrets.push(valueFrom);
      else parameters.push({ container: name, variable: secret.name ?? "", valueFrom, parameter });
    }
  }
  const images = [...new Set(revision.containerDefinitions.map((c) => c.image ?? "").filter((image) => image !== ""))];
  return { family: revision.family, executionRoleArn: revision.executionRoleArn || undefined, logGroups, parameters, uncheckedSecrets, images };
}

/** The role name GetRole takes: the last segment of `arn:aws:iam::ACCOUNT:role[/path]/NAME`. */
export function roleNameOf(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf("/") + 1);
}

type PolicyValue = string | readonly string[] | undefined;

interface TrustStatement {
  readonly Effect?: string;
  readonly Action?: PolicyValue;
  readonly Principal?: string | { readonly Service?: PolicyValue };
}

const asList = (value: PolicyValue): readonly string[] => (value === undefined ? [] : typeof value === "string" ? [value] : value);

/**
 * Whether a role's trust policy lets ECS tasks assume it: an Allow statement with the service
 * principal `ecs-tasks.amazonaws.com` (or `*`) and sts:AssumeRole (or `sts:*`, `*`), and no Deny
 * statement that names the same. IAM returns the document URL-encoded (GetRole's
 * AssumeRolePolicyDocument: https://docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html).
 * Conditions are not evaluated (ECS's own, such as aws:SourceAccount, hold for the account's tasks).
 */
export function trustsEcsTasks(document: string): boolean {
  let parsed: { Statement?: TrustStatement | readonly TrustStatement[] };
  try {
    parsed = JSON.parse(document.trim().startsWith("{") ? document : decodeURIComponent(document)) as typeof parsed;
  } catch {
    return false;
  }
  const statements = parsed.Statement === undefined ? [] : Array.isArray(parsed.Statement) ? (parsed.Statement as readonly TrustStatement[]) : [parsed.Statement as TrustStatement];
  const names = (statement: TrustStatement): boolean => {
    const principal = statement.Principal;
    const services = principal === "*" ? ["*"] : typeof principal === "object" ? asList(principal.Service) : [];
    const assumes = asList(statement.Action).some((action) => ["sts:assumerole", "sts:*", "*"].includes(action.toLowerCase()));
    return assumes && services.some((service) => service === ECS_TASKS_PRINCIPAL || service === "*");
  };
  return statements.some((s) => s.Effect === "Allow" && names(s)) && !statements.some((s) => s.Effect === "Deny" && names(s));
}

/** What the reads found about one revision's needs (undefined: that check was skipped). */
export interface PreflightFindings {
  /** The execution role: `missing`, `untrusted` (no ecs-tasks trust), `ok`, or why it could not be read. */
  readonly executionRole?: { readonly state: "ok" | "missing" | "untrusted" } | { readonly state: "unreadable"; readonly reason: string };
  /** Log groups that do not exist (and are not created by the driver). */
  readonly missingLogGroups?: readonly string[];
  /** SSM parameter names that do not exist. */
  readonly missingParameters?: readonly string[];
  /** ECR images of the account that do not exist. */
  readonly missingImages?: readonly string[];
  /** Checks that could not run (e.g. AccessDenied), with why. */
  readonly unreadable?: ReadonlyArray<{ readonly check: PreflightCheck; readonly reason: string }>;
}

/** One problem the pre-flight found: which check, which family, in words. */
export interface PreflightProblem {
  readonly check: PreflightCheck;
  readonly family: string;
  readonly problem: string;
}

/** Every problem of one revision, from its needs and what the reads found. */
export function preflightProblems(needs: PreflightNeeds, found: PreflightFindings): PreflightProblem[] {
  const { family } = needs;
  const problems: PreflightProblem[] = [];
  const role = needs.executionRoleArn;
  const add = (check: PreflightCheck, problem: string): void => {
    problems.push({ check, family, problem });
  };
  if (role !== undefined && found.executionRole?.state === "missing") add("execution-role", `execution role ${role} does not exist (GetRole: NoSuchEntity)`);
  if (role !== undefined && found.executionRole?.state === "untrusted") add("execution-role", `execution role ${role} does not trust ${ECS_TASKS_PRINCIPAL} (its trust policy needs sts:AssumeRole for that service principal)`);
  if (role !== undefined && found.executionRole?.state === "unreadable") add("execution-role", `could not read execution role ${role}: ${found.executionRole.reason}`);
  for (const group of found.missingLogGroups ?? []) {
    const users = needs.logGroups.filter((need) => need.group === group).map((need) => need.container);
    add("log-groups", `log group ${group} does not exist (awslogs of container ${users.join(", ")}; without awslogs-create-group "true" ECS cannot start the task: ResourceInitializationError)`);
  }
  for (const name of found.missingParameters ?? []) {
    const users = needs.parameters.filter((need) => need.parameter === name).map((need) => `${need.container}:${need.variable}`);
    add("secrets", `SSM parameter ${name} does not exist (secrets of ${users.join(", ")})`);
  }
  for (const image of found.missingImages ?? []) add("images", `image ${image} does not exist in ECR (CannotPullContainerError)`);
  for (const { check, reason } of found.unreadable ?? []) add(check, `could not check the ${check}: ${reason}`);
  return problems;
}

/**
 * `--skip-check` values → the checks to skip. `all` skips every one. An unknown name is bad input.
 */
export function parseSkipChecks(values: readonly string[], flag = "--skip-check"): Set<PreflightCheck> {
  const skipped = new Set<PreflightCheck>();
  for (const value of values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "")) {
    if (value === "all") for (const check of PREFLIGHT_CHECKS) skipped.add(check);
    else if ((PREFLIGHT_CHECKS as readonly string[]).includes(value)) skipped.add(value as PreflightCheck);
    else throw new ValidationError(`${flag} ${value}: not a check; the checks are ${PREFLIGHT_CHECKS.join(", ")} (or all)`);
  }
  return skipped;
}

/** Why a check could not run: the read was denied; its --skip-check turns it off. */
export function preflightUnreadable(message: string, check: PreflightCheck): string {
  return `${message} (a role that may not read this can pass --skip-check ${check})`;
}

/** The debug line for `secrets` references the pre-flight does not check (Secrets Manager, another account or region). */
export function uncheckedSecretsLine(needs: Pick<PreflightNeeds, "family" | "uncheckedSecrets">): string {
  return `pre-flight: ${needs.family}: not checked (not an SSM parameter of this account and region): ${needs.uncheckedSecrets.join(", ")}`;
}

/** The line that says what was checked (and skipped), once the checks passed. */
export function preflightPassedLine(needs: readonly PreflightNeeds[], skipped: ReadonlySet<PreflightCheck>): string {
  const roles = new Set(needs.flatMap((n) => (n.executionRoleArn ? [n.executionRoleArn] : []))).size;
  const groups = new Set(needs.flatMap((n) => n.logGroups.filter((g) => !g.createsGroup).map((g) => g.group))).size;
  const parameters = new Set(needs.flatMap((n) => n.parameters.map((p) => p.parameter))).size;
  const parts = [
    skipped.has("execution-role") ? undefined : plural(roles, "execution role"),
    skipped.has("log-groups") ? undefined : plural(groups, "log group"),
    skipped.has("secrets") ? undefined : plural(parameters, "secret parameter"),
    skipped.has("images") ? undefined : "images",
  ].filter((part): part is string => part !== undefined);
  const skip = skipped.size > 0 ? ` (skipped: ${[...skipped].join(", ")})` : "";
  return `pre-flight: ${parts.length > 0 ? `${parts.join(", ")} checked` : "nothing checked"}${skip}`;
}

/**
 * The error (exit 2, before anything is written) naming every problem; each can be skipped with
 * `--skip-check` when the job's role may not read what the check reads.
 */
export function preflightError(problems: readonly PreflightProblem[], result?: unknown): ValidationError {
  const checks = [...new Set(problems.map((p) => p.check))];
  const text = problems.map((p) => `${p.family}: ${p.problem}`).join("; ");
  return new ValidationError(
    `pre-flight: ${plural(problems.length, "problem")} would stop the new revision's tasks from starting: ${text} (nothing was written; fix them, or pass --skip-check ${checks.join(",")} to release without ${checks.length === 1 ? "this check" : "these checks"})`,
    { problems: problems.map((p) => `${p.family}: ${p.problem}`), ...(result === undefined ? {} : { result }) },
  );
}
