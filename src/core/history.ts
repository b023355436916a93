/**
 * The rows of `ecs-release history`: one per revision, newest first, from the revision's tags and
 * the services that use it now.
 */
import { beyondEcsRecord, formatDigests, latestEntryFor, recordDisagreement, ECS_RECORD_RETENTION_DAYS, type EcsDeploymentEntry } from "./ecs-record.js";
import { environmentOf, newestFirst, outcomeOf, type OutcomeLabel, type RevisionRecord } from "./revision-record.js";
import { TAG } from "./tags.js";
import { formatTable } from "./table.js";

/** One line of history. */
export interface HistoryRow {
  readonly family: string;
  readonly revision: number;
  readonly arn: string;
  /** ACTIVE / INACTIVE / DELETE_IN_PROGRESS. */
  readonly status: string;
  /** Commit SHA (TAG.sha, else a SHA-looking image tag), when known. */
  readonly sha: string | null;
  /** When it was released (TAG.releasedAt, else its registration time). */
  readonly releasedAt: string | null;
  readonly releasedBy: string | null;
  readonly outcome: OutcomeLabel;
  /** The environment it was released to (TAG.environment); null when it records none. */
  readonly environment: string | null;
  /** Services whose deployments use it now (live marker: non-empty). */
  readonly services: readonly string[];
  readonly live: boolean;
  readonly jobUrl: string | null;
  readonly image: string | null;
  /**
   * With --service: ECS's newest service deployment of this revision (null: none in ECS's record).
   * Absent without --service.
   */
  readonly ecs?: EcsDeploymentEntry | null;
  /** Where the tag and ECS's record disagree, or why ECS has nothing to say (beyond its 90 days). */
  readonly ecsNote?: string;
  readonly disagrees?: boolean;
}

/**
 * The rows with ECS's record beside the tags: each revision's newest service deployment, and where the
 * tag and ECS disagree. A revision released more than 90 days ago has no record in ECS: its tags stand
 * alone.
 */
export function withEcsRecord(rows: readonly HistoryRow[], entries: readonly EcsDeploymentEntry[], now: number): HistoryRow[] {
  return rows.map((row) => {
    const entry = latestEntryFor(row.arn, entries);
    if (entry === undefined) {
      return beyondEcsRecord(row.releasedAt, now) ? { ...row, ecs: null, ecsNote: `released more than ${ECS_RECORD_RETENTION_DAYS} days ago: ECS keeps no record that old, the tags stand alone` } : { ...row, ecs: null };
    }
    const disagreement = recordDisagreement(row.outcome, entry);
    return { ...row, ecs: entry, ...(disagreement !== undefined ? { ecsNote: disagreement, disagrees: true } : {}) };
  });
}

/** Builds history rows, newest first, at most `limit`. `inUse` maps task definition ARN → services. */
export function buildHistoryRows(records: readonly RevisionRecord[], inUse: ReadonlyMap<string, readonly string[]>, limit: number): HistoryRow[] {
  return newestFirst(records)
    .slice(0, Math.max(0, limit))
    .map((record) => {
      const services = [...(inUse.get(record.arn) ?? [])].sort();
      return {
        family: record.family,
        revision: record.revision,
        arn: record.arn,
        status: record.status,
        sha: shaOf(record),
        releasedAt: record.tags[TAG.releasedAt] ?? record.registeredAt ?? null,
        releasedBy: record.tags[TAG.releasedBy] ?? null,
        outcome: outcomeOf(record),
        environment: environmentOf(record) ?? null,
        services,
        live: services.length > 0,
        jobUrl: record.tags[TAG.jobUrl] ?? null,
        image: record.tags[TAG.image] ?? record.image ?? null,
      };
    });
}

/** The commit a revision runs: TAG.sha, else an image tag that looks like a commit SHA. */
export function shaOf(record: Pick<RevisionRecord, "tags" | "image">): string | null {
  const tagged = record.tags[TAG.sha];
  if (tagged) return tagged;
  const imageTag = record.image?.split("@")[0]?.split("/").pop()?.split(":")[1];
  return imageTag !== undefined && /^[0-9a-f]{7,40}$/i.test(imageTag) ? imageTag : null;
}

/** The history table people read: aligned columns, the live revisions marked with `*`. */
export function formatHistoryTable(rows: readonly HistoryRow[]): string {
  if (rows.length === 0) return "no revisions found\n";
  // With ECS's record (--service): its status and finish time beside the tags, and a line per note.
  const ecs = rows.some((row) => row.ecs !== undefined);
  const table = formatTable(
    ["", "REVISION", "STATUS", "SHA", "RELEASED", "BY", "OUTCOME", "ENVIRONMENT", "RUNNING IN", ...(ecs ? ["ECS", "FINISHED", "DIGESTS"] : [])],
    rows.map((row) => [
      row.live ? "*" : "",
      `${row.family}:${row.revision}`,
      row.status,
      row.sha ? row.sha.slice(0, 12) : "-",
      row.releasedAt ? formatTime(row.releasedAt) : "-",
      row.releasedBy ?? "-",
      row.outcome,
      row.environment ?? "-",
      row.services.length > 0 ? row.services.join(", ") : "-",
      ...(ecs
        ? [
            row.ecs ? `${row.ecs.status}${row.disagrees ? " !" : ""}${row.ecs.lifecycleStage && row.ecs.status === "IN_PROGRESS" ? ` (${row.ecs.lifecycleStage})` : ""}` : "-",
            row.ecs?.finishedAt ? formatTime(row.ecs.finishedAt) : "-",
            row.ecs && row.ecs.images.length > 0 ? formatDigests(row.ecs.images) : "-",
          ]
        : []),
    ]),
  );
  const notes = rows.filter((row) => row.ecsNote !== undefined).map((row) => `${row.disagrees ? "!" : "-"} ${row.family}:${row.revision}: ${row.ecsNote ?? ""}\n`);
  return table + notes.join("");
}

/** `2025-01-02T03:04:05.678Z` → `2025-01-02 03:04Z` (with `seconds`: `2025-01-02 03:04:05Z`); anything else unchanged. */
export function formatTime(iso: string, seconds = false): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(iso);
  return match ? `${match[1]} ${match[2]}${seconds ? (match[3] ?? "") : ""}${match[4] ?? ""}` : iso;
}
