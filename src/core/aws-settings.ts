/**
 * The region and retry settings, resolved as the AWS SDKs resolve them. Pure: the CLI reads the
 * environment and the shared config file's text and passes them here.
 *
 * - Region: `--region`, then AWS_REGION (then AWS_DEFAULT_REGION, as the AWS CLI reads it), then the
 *   `region` of the profile (AWS_PROFILE, else `default`) in the shared config file
 *   (https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/setting-region.html).
 * - Retries: AWS_MAX_ATTEMPTS / AWS_RETRY_MODE, else the profile's `max_attempts` / `retry_mode`
 *   (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html); when neither says,
 *   ecs-release's defaults: 6 attempts, `adaptive` (a release keeps going through throttling). The
 *   JavaScript SDK treats `legacy` as `standard`.
 */
import { ValidationError } from "./errors.js";

/** ecs-release's attempts per call when neither AWS_MAX_ATTEMPTS nor the profile's max_attempts says. */
export const DEFAULT_MAX_ATTEMPTS = 6;
/** ecs-release's retry mode when neither AWS_RETRY_MODE nor the profile's retry_mode says. */
export const DEFAULT_RETRY_MODE = "adaptive";

export type RetryMode = "standard" | "adaptive";

/** What the SDK clients are built with. */
export interface AwsSettings {
  readonly region: string | undefined;
  readonly maxAttempts: number;
  readonly retryMode: RetryMode;
}

/**
 * The profile's settings from the shared config file's text: `[default]`, or `[profile NAME]`
 * (https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html). Keys are lower-cased; `#` and
 * `;` start comments; nested (indented) settings are skipped.
 */
export function profileSettings(configText: string, profile: string): Record<string, string> {
  const wanted = profile === "default" ? ["default", "profile default"] : [`profile ${profile}`];
  const settings: Record<string, string> = {};
  let inProfile = false;
  for (const raw of configText.split(/\r?\n/)) {
    if (/^\s*[#;]/.test(raw) || raw.trim() === "") continue;
    const section = /^\s*\[\s*([^\]]+?)\s*\]\s*$/.exec(raw);
    if (section?.[1] !== undefined) {
      inProfile = wanted.includes(section[1].replace(/\s+/g, " "));
      continue;
    }
    if (!inProfile || /^\s/.test(raw)) continue;
    const pair = /^([^=]+?)\s*=\s*(.*?)\s*(?:\s[#;].*)?$/.exec(raw);
    if (pair?.[1] !== undefined && pair[2] !== undefined) settings[pair[1].trim().toLowerCase()] = pair[2];
  }
  return settings;
}

/** Resolves the settings; throws ValidationError (exit 2) for a value the SDKs would refuse. */
export function resolveAwsSettings(input: { readonly flagRegion?: string | undefined; readonly env: Readonly<Record<string, string | undefined>>; readonly configText?: string | undefined }): AwsSettings {
  const { env } = input;
  const profileName = env["AWS_PROFILE"] || "default";
  const profile = input.configText === undefined ? {} : profileSettings(input.configText, profileName);
  const region = input.flagRegion || env["AWS_REGION"] || env["AWS_DEFAULT_REGION"] || profile["region"] || undefined;
  const attemptsText = env["AWS_MAX_ATTEMPTS"] || profile["max_attempts"];
  const attemptsSource = env["AWS_MAX_ATTEMPTS"] ? "AWS_MAX_ATTEMPTS" : `max_attempts of profile ${profileName}`;
  let maxAttempts = DEFAULT_MAX_ATTEMPTS;
  if (attemptsText) {
    if (!/^\d+$/.test(attemptsText.trim()) || Number(attemptsText) < 1) throw new ValidationError(`${attemptsSource} must be a whole number of at least 1 (got "${attemptsText}")`);
    maxAttempts = Number(attemptsText);
  }
  const modeText = (env["AWS_RETRY_MODE"] || profile["retry_mode"] || DEFAULT_RETRY_MODE).trim().toLowerCase();
  if (!["standard", "adaptive", "legacy"].includes(modeText)) {
    throw new ValidationError(`${env["AWS_RETRY_MODE"] ? "AWS_RETRY_MODE" : `retry_mode of profile ${profileName}`} must be standard, adaptive or legacy (got "${modeText}")`);
  }
  return { region, maxAttempts, retryMode: modeText === "adaptive" ? "adaptive" : "standard" };
}
