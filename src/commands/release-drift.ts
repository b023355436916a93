/**
 * The environment drift of a re-release (cli.md, release): when an older commit is released again,
 * how today's SSM environment differs from the one that commit was first released with. Part of
 * `release`'s verify phase (reads only).
 */
import type { AwsClients } from "../aws/clients.js";
import { describeTaskDefinition, type DescribedTaskDefinition } from "../aws/ecs.js";
import { listRevisionArns } from "../aws/task-definitions.js";
import { containerEnvironment, diffEnvironment, formatEnvironmentChanges, type EnvironmentChange } from "../core/diff.js";
import type { Logger } from "../core/logger.js";
import type { FamilyPlan } from "../core/release-plan.js";
import { isPushedBeforeRunning, registeredAtOf } from "../core/revision-age.js";
import { inEnvironment } from "../core/revision-record.js";
import { familyOf, revisionName } from "../core/rollout-state.js";
import { recordedSecureNames, TAG } from "../core/tags.js";
import type { SnapshotResolver } from "./snapshot-values.js";

/** One family's drift: the revision the SHA was first released as, and the changes since. */
export interface EnvironmentDrift {
  readonly family: string;
  readonly releasedIn: string;
  readonly changes: readonly EnvironmentChange[];
}

const DEFAULT_HISTORY_SCAN = 50;

/**
 * When the image is older than the revision running now (pushed before it was registered) and
 * that revision runs another SHA, this is a re-release of an older commit: find the newest revision
 * of the family tagged with that SHA (bounded scan, newest first) and compare its application
 * environment with today's. A forward release of a new commit costs no extra call.
 */
export async function findEnvironmentDrift(
  plans: readonly FamilyPlan[],
  describedRevisions: Map<string, DescribedTaskDefinition>,
  options: { readonly sha?: string; readonly historyScanLimit?: number; readonly environment?: string },
  pushedAt: Date | undefined,
  isSecret: (name: string) => boolean,
  deps: { readonly aws: AwsClients; readonly log: Logger; readonly signal: AbortSignal; readonly rememberOldSecrets?: (revision: DescribedTaskDefinition) => void; readonly resolveSnapshots?: SnapshotResolver },
): Promise<EnvironmentDrift[]> {
  const sha = options.sha;
  if (!sha || pushedAt === undefined) return [];
  // First released within this environment (another environment's revision has another environment).
  const releasedAs = (r: DescribedTaskDefinition): boolean => r.tags[TAG.sha] === sha && inEnvironment(r, options.environment);
  const drift: EnvironmentDrift[] = [];
  for (const plan of plans) {
    const rendered = plan.rendered;
    const running = [...new Set(plan.services.map((s) => s.taskDefinition ?? ""))].map((arn) => describedRevisions.get(arn)).filter((r): r is DescribedTaskDefinition => r !== undefined);
    if (running.length === 0 || running.some((r) => r.tags[TAG.sha] === sha)) continue;
    if (!isPushedBeforeRunning(pushedAt, running.map((r) => registeredAtOf(r.taskDefinition, r.tags)))) continue;

    const family = plan.sourceFamily;
    let found = [...describedRevisions.values()].find((r) => familyOf(r.taskDefinitionArn) === family && releasedAs(r));
    if (!found) {
      const arns = (await listRevisionArns(deps.aws, family, options.historyScanLimit ?? DEFAULT_HISTORY_SCAN, "ACTIVE", deps.signal)).filter((arn) => !describedRevisions.has(arn));
      for (let i = 0; i < arns.length && !found; i += 5) {
        const batch = await Promise.all(arns.slice(i, i + 5).map((arn) => describeTaskDefinition(deps.aws, arn, deps.signal)));
        for (const revision of batch) {
          describedRevisions.set(revision.taskDefinitionArn, revision);
          deps.rememberOldSecrets?.(revision);
        }
        found = batch.find(releasedAs);
      }
    }
    if (!found) {
      deps.log.info(`${family}: ${sha.slice(0, 12)} is older than what runs, but no revision among the newest ${options.historyScanLimit ?? DEFAULT_HISTORY_SCAN} records it: no environment to compare with`);
      continue;
    }
    const oldContainers = (found.taskDefinition["containerDefinitions"] as Array<Record<string, unknown>> | undefined) ?? [];
    const appContainer = plan.containers[0] ?? "";
    // The values its Secrets Manager snapshot references name, so an unchanged SecureString is not "changed".
    const [before = {}] = await (deps.resolveSnapshots ?? (async (c) => [...c]))([(oldContainers.find((c) => c["name"] === appContainer) ?? {}) as Parameters<typeof containerEnvironment>[0]]);
    const after = rendered.input.containerDefinitions.find((c) => c.name === appContainer) ?? {};
    // Old values are shown only where the old revision's record proves them not secret.
    const changes = diffEnvironment(before as Parameters<typeof containerEnvironment>[0], after, { isSecret, recordedBefore: recordedSecureNames(found.tags) });
    drift.push({ family, releasedIn: found.taskDefinitionArn, changes });
    deps.log.info(
      changes.length === 0
        ? `re-releasing ${sha.slice(0, 12)}, first released as ${revisionName(found.taskDefinitionArn)}: the environment is the same as then`
        : `re-releasing ${sha.slice(0, 12)}, first released as ${revisionName(found.taskDefinitionArn)}: today's environment differs (${changes.length} ${changes.length === 1 ? "change" : "changes"}):`,
    );
    for (const line of formatEnvironmentChanges(changes)) deps.log.info(line);
  }
  return drift;
}
