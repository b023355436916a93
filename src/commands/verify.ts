/**
 * `ecs-release verify` (cli.md): what release checks before it writes anything — the services, the
 * image, the SSM environment, the rendered revisions — and the pre-flight (commands/preflight.ts:
 * execution role, log groups, `secrets` references, images), alone. Writes nothing. Exit 0 when a
 * release would get past its checks; every problem at once (exit 2) when it would not.
 */
import { preflightError, preflightPassedLine, type PreflightProblem } from "../core/preflight.js";
import { runPreflight } from "./preflight.js";
import { verifyRelease, type ReleaseDeps, type ReleaseOptions } from "./release.js";

/** The result document (`--json`), also attached to the error when a check fails. */
export interface VerifyResult {
  readonly cluster: string;
  readonly sha: string | null;
  readonly image: string;
  readonly revisions: ReadonlyArray<{ readonly family: string; readonly executionRoleArn: string | null; readonly logGroups: readonly string[]; readonly secretParameters: readonly string[]; readonly images: readonly string[] }>;
  readonly skipped: readonly string[];
  readonly problems: readonly PreflightProblem[];
  readonly warnings: readonly string[];
}

/** Runs release's verify phase and the pre-flight; throws ValidationError (exit 2, the result attached) naming every problem. */
export async function run(options: ReleaseOptions, deps: ReleaseDeps): Promise<VerifyResult> {
  const verified = await verifyRelease(options, deps);
  const report = await runPreflight(verified.revisions, verified.preflight, deps);
  const result: VerifyResult = {
    cluster: options.cluster,
    sha: verified.result.sha,
    image: verified.result.image,
    revisions: report.needs.map((need) => ({
      family: need.family,
      executionRoleArn: need.executionRoleArn ?? null,
      logGroups: need.logGroups.map((g) => g.group),
      secretParameters: need.parameters.map((p) => p.parameter),
      images: need.images,
    })),
    skipped: report.skipped,
    problems: report.problems,
    warnings: verified.result.warnings,
  };
  if (report.problems.length > 0) throw preflightError(report.problems, result);
  deps.log.info(preflightPassedLine(report.needs, verified.preflight.skip));
  deps.log.info("verify: every check passed; nothing was written");
  return result;
}
