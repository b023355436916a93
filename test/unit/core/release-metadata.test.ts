import { describe, expect, it } from "vitest";
import { readReleaseMetadata, type ReleaseMetadata } from "../../../src/core/release-metadata.js";

describe("readReleaseMetadata", () => {
  type Row = [string, Record<string, string | undefined>, ReleaseMetadata];
  it.each<Row>([
    ["nothing set: only the version", {}, { version: "1.2.3" }],
    [
      "CircleCI: pipeline, job URL, user",
      { CIRCLE_PIPELINE_NUM: "42", CIRCLE_BUILD_URL: "https://circleci.com/gh/o/r/7", CIRCLE_WORKFLOW_URL: "https://app.circleci.com/pipelines/workflows/w", CIRCLE_USERNAME: "ann", USER: "root", LOGNAME: "lg" },
      { version: "1.2.3", pipeline: "42", jobUrl: "https://circleci.com/gh/o/r/7", releasedBy: "ann" },
    ],
    ["the workflow URL when there is no job URL", { CIRCLE_WORKFLOW_URL: "https://app.circleci.com/pipelines/workflows/w" }, { version: "1.2.3", jobUrl: "https://app.circleci.com/pipelines/workflows/w" }],
    ["USER when CIRCLE_USERNAME is empty", { CIRCLE_USERNAME: "", USER: "bob", LOGNAME: "lg" }, { version: "1.2.3", releasedBy: "bob" }],
    ["LOGNAME when USER is empty too", { CIRCLE_USERNAME: "", USER: "", LOGNAME: "lg" }, { version: "1.2.3", releasedBy: "lg" }],
    ["LOGNAME alone", { LOGNAME: "lg" }, { version: "1.2.3", releasedBy: "lg" }],
    ["empty values are left out", { CIRCLE_PIPELINE_NUM: "", CIRCLE_USERNAME: "", USER: "", LOGNAME: "" }, { version: "1.2.3" }],
    [
      "values made tag-safe",
      { CIRCLE_PIPELINE_NUM: "4#2", CIRCLE_BUILD_URL: "https://x/y?a=1&b", CIRCLE_USERNAME: "ann (ci)" },
      { version: "1.2.3", pipeline: "4_2", jobUrl: "https://x/y_a=1_b", releasedBy: "ann _ci_" },
    ],
  ])("%s", (_name, env, expected) => {
    expect(readReleaseMetadata(env, "1.2.3")).toStrictEqual(expected);
  });
});
