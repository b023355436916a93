import { toTagValue } from "./tags.js";

/** Who and what triggered a release: recorded as tags on the revision (see tags.ts). */
export interface ReleaseMetadata {
  /** Pipeline number (CIRCLE_PIPELINE_NUM), when run in CircleCI. */
  pipeline?: string;
  /** Job URL (CIRCLE_BUILD_URL), else the workflow URL. */
  jobUrl?: string;
  /** CIRCLE_USERNAME, else the local user name. */
  releasedBy?: string;
  /** The ecs-release version. */
  version: string;
}

/** Reads release metadata from a CircleCI-style environment. Pure: takes the environment as an argument. */
export function readReleaseMetadata(env: Readonly<Record<string, string | undefined>>, version: string): ReleaseMetadata {
  const metadata: ReleaseMetadata = { version };
  const pipeline = env["CIRCLE_PIPELINE_NUM"];
  const jobUrl = env["CIRCLE_BUILD_URL"] ?? env["CIRCLE_WORKFLOW_URL"];
  const releasedBy = env["CIRCLE_USERNAME"] || env["USER"] || env["LOGNAME"];
  // Recorded as tags: only characters ECS accepts in a tag value (toTagValue).
  if (pipeline) metadata.pipeline = toTagValue(pipeline);
  if (jobUrl) metadata.jobUrl = toTagValue(jobUrl);
  if (releasedBy) metadata.releasedBy = toTagValue(releasedBy);
  return metadata;
}
