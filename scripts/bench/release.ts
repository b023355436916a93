/**
 * Benchmark (1): `release` of N SSM parameters to 3 services in 2 families, the emulator
 * completing each rollout on the first poll, polling every millisecond. Counts the API calls by
 * operation against the minimum the work needs, checks that the UpdateService calls overlapped,
 * and times the whole process.
 */
import type { Emulator } from "../../test/emulator/index.js";
import { putImage } from "../../test/helpers/seed.js";
import type { AwsClients } from "../../test/helpers/emulator.js";
import { allOverlap, countByOperation, excessCalls, total } from "./calls.js";
import { expectExit, runTimed } from "./cli-process.js";
import { CLUSTER, emulatorEnv, randomSha, REPOSITORY, SERVICES, SSM_PATH } from "./platform.js";

/** One release run. */
export interface ReleaseRun {
  readonly calls: Record<string, number>;
  readonly minimum: Record<string, number>;
  readonly totalCalls: number;
  readonly minimumCalls: number;
  /** Operations above their minimum (`Op: got/min`); empty when none. */
  readonly excess: string[];
  readonly polls: number;
  readonly updatesOverlap: boolean;
  /** Spawn to exit. */
  readonly wallMs: number;
  /** Wall time minus the time the CLI slept between polls (polls − 1 intervals). */
  readonly wallExcludingWaitMs: number;
  /**
   * The first DescribeServices poll (1-based) after which the CLI printed a failure line: the line
   * arrived after that poll's answer and before the next poll began. Null when none was printed.
   */
  readonly failureReportedAfterPoll: number | null;
  /** Phases as the CLI measured them (--json). */
  readonly phases: { verifyMs: number; registerMs: number; updateMs: number; waitMs: number };
}

/**
 * The fewest calls a release can make: parameter pages of 10 (plus the empty page that ends the
 * listing when the last page is full: SSM, like the emulator, returns a NextToken with every full
 * page, and a listing ends only on an answer without one), one image check, one
 * DescribeServices per 10 services, one DescribeTaskDefinition, RegisterTaskDefinition and
 * TagResource (the outcome record) per family, one UpdateService per service, and the polls —
 * one DescribeServices per 10 services per rollout step (where ECS answers consistently: each stale
 * read after UpdateService costs one more; the bench measures with none). With SecureStrings in the default
 * `--secure-strings secretsmanager` mode, one PutSecretValue (the environment's secret exists: the
 * first release of an environment creates it, one call more) and the pre-flight's GetRole per
 * distinct execution role.
 */
export function minimumReleaseCalls(input: { parameters: number; services: number; families: number; steps: number; executionRoles?: number; secretsSnapshot?: boolean }): Record<string, number> {
  const describeBatches = Math.ceil(input.services / 10);
  return {
    ...(input.executionRoles ? { GetRole: input.executionRoles } : {}),
    ...(input.secretsSnapshot ? { PutSecretValue: 1 } : {}),
    GetParametersByPath: Math.ceil(input.parameters / 10) + (input.parameters % 10 === 0 ? 1 : 0),
    DescribeImages: 1,
    DescribeServices: describeBatches * (1 + input.steps),
    DescribeTaskDefinition: input.families,
    RegisterTaskDefinition: input.families,
    UpdateService: input.services,
    TagResource: input.families,
  };
}

/**
 * Pushes a new image and releases it, measuring one run. `steps`: DescribeServices polls each
 * rollout takes; `outcome: "fail"`: the deployments fail at that poll (the circuit breaker rolls
 * them back) and the release must exit 1.
 */
export async function runRelease(emulator: Emulator, clients: AwsClients, parameters: number, steps: number, pollIntervalMs: number, outcome: "complete" | "fail" = "complete"): Promise<ReleaseRun> {
  const sha = randomSha();
  // ECR's imagePushedAt has whole seconds (moto's too), and release treats an image pushed before
  // the running revision was registered as a re-release of an older commit (and looks up the
  // environment it first shipped with). A push in the same second as the previous release's
  // registration would read as "before" it, so start the push in the next second: as in CI, where
  // a build sits between two releases. Not part of any measured time.
  await new Promise((resolve) => setTimeout(resolve, 1_050 - (Date.now() % 1_000)));
  await putImage(clients, REPOSITORY, sha); // pushed just before its release, as CI does
  await emulator.addRule({ match: sha, outcome, steps });
  const before = (await emulator.callLog()).length;
  const serviceFlags = Object.keys(SERVICES).flatMap((s) => ["--service", s]);
  const run = await runTimed(
    ["release", "--cluster", CLUSTER, ...serviceFlags, "--ssm-path", SSM_PATH, "--repository", REPOSITORY, "--sha", sha, "--poll-interval", `${pollIntervalMs}ms`, "--json"],
    emulatorEnv(emulator.url),
  );
  expectExit(run, outcome === "complete" ? 0 : 1, "release");
  const log = (await emulator.callLog()).slice(before);
  const calls = countByOperation(log);
  const minimum = minimumReleaseCalls({ parameters, services: Object.keys(SERVICES).length, families: new Set(Object.values(SERVICES)).size, steps, executionRoles: 1, secretsSnapshot: parameters > 0 });
  const document = JSON.parse(run.stdout) as { phases?: ReleaseRun["phases"]; result?: { phases: ReleaseRun["phases"] } };
  const phases = document.phases ?? document.result?.phases ?? { verifyMs: 0, registerMs: 0, updateMs: 0, waitMs: 0 };
  const polls = (calls["DescribeServices"] ?? 0) - Math.ceil(Object.keys(SERVICES).length / 10);
  const polled = log.filter((e) => e.operation === "DescribeServices").slice(Math.ceil(Object.keys(SERVICES).length / 10));
  const failureLine = run.stderrLines.find((l) => / FAILED|failed \(|rolling back|rolled back/.test(l.text) && !/warning: .*(minimum|circuit breaker (is )?off)/.test(l.text));
  const failureReportedAfterPoll = failureLine === undefined ? null : polled.filter((poll) => poll.end <= failureLine.at).length;
  return {
    calls,
    failureReportedAfterPoll,
    minimum,
    totalCalls: total(calls),
    minimumCalls: total(minimum),
    excess: excessCalls(calls, minimum),
    polls,
    updatesOverlap: allOverlap(log.filter((e) => e.operation === "UpdateService")),
    wallMs: run.wallMs,
    wallExcludingWaitMs: run.wallMs - Math.max(0, polls - 1) * pollIntervalMs,
    phases,
  };
}
