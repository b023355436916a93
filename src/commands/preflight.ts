/**
 * The pre-flight check (core/preflight.ts): release runs it after its other checks and before it
 * registers anything (a dry run too); `ecs-release verify` runs it alone. Each distinct role, log
 * group, parameter and image is read once, the four checks concurrently. A read the job's role may
 * not make (AccessDenied) is a problem of its own, naming the `--skip-check` that turns it off.
 */
import type { AwsClients } from "../aws/clients.js";
import { ecrImageExists } from "../aws/ecr.js";
import { existingParameters, logGroupExists, readRoleTrust } from "../aws/preflight.js";
import { imagesToCheck } from "../core/ecr-image.js";
import { isAwsCallError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import {
  preflightError,
  preflightNeeds,
  preflightPassedLine,
  preflightProblems,
  preflightUnreadable,
  roleNameOf,
  uncheckedSecretsLine,
  trustsEcsTasks,
  type PreflightCheck,
  type PreflightFindings,
  type PreflightNeeds,
  type PreflightPlace,
  type PreflightProblem,
  type PreflightRevision,
} from "../core/preflight.js";

/** What the pre-flight is told besides the revisions. */
export interface PreflightOptions {
  readonly skip: ReadonlySet<PreflightCheck>;
  /** The account (from a service or cluster ARN) and region the revisions run in. */
  readonly place: PreflightPlace;
  /** Images already known to exist (release looked up REPOSITORY:SHA): not read again. */
  readonly knownImages?: readonly string[];
}

/** What the pre-flight needs from outside. */
export interface PreflightDeps {
  readonly aws: Pick<AwsClients, "iam" | "logs" | "ssm" | "ecr" | "region">;
  readonly log: Logger;
  readonly signal: AbortSignal;
}

/** The outcome: what each revision needs, and every problem found. */
export interface PreflightReport {
  readonly skipped: readonly PreflightCheck[];
  readonly needs: readonly PreflightNeeds[];
  readonly problems: readonly PreflightProblem[];
}

/** AWS error codes that mean "this role may not read that": the check cannot run. */
const DENIED = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation"]);

type Findings = Map<PreflightCheck, { readonly absent: ReadonlySet<string>; readonly untrusted?: ReadonlySet<string>; readonly unreadable?: string }>;

/** Runs the checks that are not skipped and returns every problem (nothing thrown for a problem). */
export async function runPreflight(revisions: readonly PreflightRevision[], options: PreflightOptions, deps: PreflightDeps): Promise<PreflightReport> {
  const needs = revisions.map((revision) => preflightNeeds(revision, options.place));
  const reads: Array<[PreflightCheck, () => Promise<{ absent: Set<string>; untrusted?: Set<string> }>]> = [
    ["execution-role", () => readRoles(needs, deps)],
    ["log-groups", () => readLogGroups(needs, deps)],
    ["secrets", () => readParameters(needs, deps)],
    ["images", () => readImages(needs, options, deps)],
  ];
  const findings: Findings = new Map();
  await Promise.all(
    reads
      .filter(([check]) => !options.skip.has(check))
      .map(async ([check, read]) => {
        try {
          findings.set(check, await read());
        } catch (error) {
          if (!isAwsCallError(error) || !DENIED.has(error.code ?? "")) throw error;
          findings.set(check, { absent: new Set(), unreadable: preflightUnreadable(error.message, check) });
        }
      }),
  );
  const problems = needs.flatMap((need) => preflightProblems(need, findingsOf(need, findings)));
  return { skipped: [...options.skip], needs, problems };
}

/** Runs the pre-flight; logs what was checked when all is well, else throws the error naming every problem (exit 2). */
export async function checkPreflight(revisions: readonly PreflightRevision[], options: PreflightOptions, deps: PreflightDeps, result?: unknown): Promise<PreflightReport> {
  const report = await runPreflight(revisions, options, deps);
  if (report.problems.length > 0) throw preflightError(report.problems, result);
  deps.log.info(preflightPassedLine(report.needs, options.skip));
  for (const need of report.needs) {
    if (need.uncheckedSecrets.length > 0) deps.log.debug(uncheckedSecretsLine(need));
  }
  return report;
}

/** One revision's findings, from the reads of every revision. */
function findingsOf(need: PreflightNeeds, findings: Findings): PreflightFindings {
  const role = findings.get("execution-role");
  const arn = need.executionRoleArn;
  const absentOf = (check: PreflightCheck, names: readonly string[]): string[] => [...new Set(names)].filter((name) => findings.get(check)?.absent.has(name) === true);
  const unreadable = [...findings].flatMap(([check, found]) => (found.unreadable !== undefined && check !== "execution-role" ? [{ check, reason: found.unreadable }] : []));
  const roleState = (): PreflightFindings["executionRole"] => {
    if (role === undefined || arn === undefined) return undefined;
    if (role.unreadable !== undefined) return { state: "unreadable", reason: role.unreadable };
    return { state: role.absent.has(arn) ? "missing" : role.untrusted?.has(arn) ? "untrusted" : "ok" };
  };
  const executionRole = roleState();
  return {
    ...(executionRole !== undefined ? { executionRole } : {}),
    missingLogGroups: absentOf("log-groups", need.logGroups.map((g) => g.group)),
    missingParameters: absentOf("secrets", need.parameters.map((p) => p.parameter)),
    missingImages: absentOf("images", need.images),
    unreadable: need.logGroups.length + need.parameters.length + need.images.length > 0 ? unreadable : [],
  };
}

/** GetRole per distinct execution role: absent, or present without the ecs-tasks trust. */
async function readRoles(needs: readonly PreflightNeeds[], deps: PreflightDeps): Promise<{ absent: Set<string>; untrusted: Set<string> }> {
  const roles = [...new Set(needs.flatMap((n) => (n.executionRoleArn ? [n.executionRoleArn] : [])))];
  const absent = new Set<string>();
  const untrusted = new Set<string>();
  await Promise.all(
    roles.map(async (arn) => {
      const document = await readRoleTrust(deps.aws, roleNameOf(arn), deps.signal);
      if (document === undefined) absent.add(arn);
      else if (!trustsEcsTasks(document)) untrusted.add(arn);
    }),
  );
  return { absent, untrusted };
}

/** One DescribeLogStreams per distinct group the driver does not create, one after another (5 TPS per account and region). */
async function readLogGroups(needs: readonly PreflightNeeds[], deps: PreflightDeps): Promise<{ absent: Set<string> }> {
  const groups = [...new Set(needs.flatMap((n) => n.logGroups.filter((g) => !g.createsGroup && (g.region === undefined || g.region === deps.aws.region)).map((g) => g.group)))];
  const absent = new Set<string>();
  for (const group of groups) if (!(await logGroupExists(deps.aws, group, deps.signal))) absent.add(group);
  return { absent };
}

/** DescribeParameters for every SSM parameter the `secrets` name. */
async function readParameters(needs: readonly PreflightNeeds[], deps: PreflightDeps): Promise<{ absent: Set<string> }> {
  const names = [...new Set(needs.flatMap((n) => n.parameters.map((p) => p.parameter)))];
  if (names.length === 0) return { absent: new Set() };
  const found = await existingParameters(deps.aws, names, deps.signal);
  return { absent: new Set(names.filter((name) => !found.has(name))) };
}

/** DescribeImages for each image of the account's own ECR not already known to exist. */
async function readImages(needs: readonly PreflightNeeds[], options: PreflightOptions, deps: PreflightDeps): Promise<{ absent: Set<string> }> {
  const known = new Set(options.knownImages ?? []);
  const images = [...new Set(needs.flatMap((n) => n.images))].filter((image) => !known.has(image));
  const absent = new Set<string>();
  if (options.place.account === undefined) return { absent };
  const { checkable } = imagesToCheck(images, { account: options.place.account, region: options.place.region });
  await Promise.all(
    checkable.map(async (ref) => {
      if (!(await ecrImageExists(deps.aws, ref, deps.signal))) absent.add(ref.uri);
    }),
  );
  return { absent };
}
