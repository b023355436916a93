/**
 * Which commit a command works for (release, push): the decision, pure. The `git rev-parse HEAD` it
 * may need is read by src/git/commit-sha.ts, which asks {@link decideCommitSha} first whether it must.
 */
import { ValidationError } from "./errors.js";

/** What `git rev-parse HEAD` answered: the commit, or why there is none (not a checkout, no git). */
export type GitHead = { readonly head: string } | { readonly failure: string };

/** Where a commit SHA can come from, strongest first. */
export interface CommitShaSources {
  /** `--sha`; empty counts as not given (as an empty orb parameter does). */
  readonly flag?: string | undefined;
  /**
   * `release --image URI`: its tag when that is a full SHA — what the image was built from, which
   * `rollback --to sha:` looks for, even when the pipeline's commit is another.
   */
  readonly image?: string | undefined;
  /** `$CIRCLE_SHA1`, the pipeline's commit (https://circleci.com/docs/reference/variables/). */
  readonly circleSha1?: string | undefined;
  /** `git rev-parse HEAD` in `gitDirectory`, once read; undefined: not read (yet). */
  readonly gitHead?: GitHead | undefined;
  /** Where git was (or would be) asked, for the error; default: the working directory. */
  readonly gitDirectory?: string | undefined;
}

/** Where the SHA came from. */
export type CommitShaSource = "flag" | "image-tag" | "CIRCLE_SHA1" | "git";

/**
 * The decision: the SHA and its source; `read-git-head` when only git can tell (read it, then decide
 * again with `gitHead`); or `none` when nothing names a commit and none is required.
 */
export type CommitShaDecision =
  | { readonly kind: "resolved"; readonly sha: string; readonly source: CommitShaSource }
  | { readonly kind: "read-git-head" }
  | { readonly kind: "none" };

/** A full commit SHA as git prints it: SHA-1 (40 hex digits) or SHA-256 (64). */
const FULL_SHA = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/;

/** The tag of an image URI when it is a full SHA-1 (`…/web:<40 hex>`, a digest after `@` ignored). */
export function imageShaTag(image: string): string | undefined {
  return /:([0-9a-f]{40})$/.exec(image.split("@")[0] ?? "")?.[1];
}

/**
 * The commit SHA: `--sha`, else the image's full-SHA tag (release --image), else $CIRCLE_SHA1, else
 * `git rev-parse HEAD`. Without any, a ValidationError (exit 2) when `required` — release
 * --repository and push name the image by the SHA — else `none` (release --image records no SHA).
 */
export function decideCommitSha(sources: CommitShaSources, required: boolean): CommitShaDecision {
  if (sources.flag) return { kind: "resolved", sha: sources.flag, source: "flag" };
  const tag = sources.image === undefined ? undefined : imageShaTag(sources.image);
  if (tag !== undefined) return { kind: "resolved", sha: tag, source: "image-tag" };
  if (sources.circleSha1) return { kind: "resolved", sha: sources.circleSha1, source: "CIRCLE_SHA1" };
  const git = sources.gitHead;
  if (git === undefined) return { kind: "read-git-head" };
  if ("head" in git && FULL_SHA.test(git.head)) return { kind: "resolved", sha: git.head, source: "git" };
  if (!required) return { kind: "none" };
  const why = "head" in git ? `it answered ${JSON.stringify(git.head.slice(0, 80))}` : git.failure;
  throw new ValidationError(`no commit SHA: pass --sha, set CIRCLE_SHA1, or run inside a git checkout (git rev-parse HEAD in ${sources.gitDirectory ?? "the working directory"}: ${why})`);
}

/**
 * `--sha` against the image tags of an ECR repository: a full SHA as given; a prefix (people copy
 * 7 or 12 digits from `git log --oneline` or `history`) → the one full-SHA tag that starts with it,
 * none, or several. ECR tags are case-sensitive and push tags with the lowercase full SHA.
 */
export type ShaPrefixMatch =
  | { readonly kind: "full"; readonly sha: string }
  | { readonly kind: "unique"; readonly sha: string }
  | { readonly kind: "none" }
  | { readonly kind: "ambiguous"; readonly candidates: readonly string[] };

/** True when `sha` is a full commit SHA (SHA-1 or SHA-256, lowercase as git prints it). */
export function isFullSha(sha: string): boolean {
  return FULL_SHA.test(sha);
}

/** True when `sha` is a prefix to look up: 7 or more hex digits, shorter than a full SHA (case aside). */
export function isShaPrefix(sha: string): boolean {
  return /^[0-9a-fA-F]{7,63}$/.test(sha) && !FULL_SHA.test(sha);
}

/** Matches `--sha` with the repository's tags (only full-SHA tags count). */
export function matchShaPrefix(sha: string, tags: readonly string[]): ShaPrefixMatch {
  if (FULL_SHA.test(sha)) return { kind: "full", sha };
  const prefix = sha.toLowerCase();
  const candidates = [...new Set(tags.filter((tag) => FULL_SHA.test(tag) && tag.startsWith(prefix)))].sort();
  if (candidates.length === 1) return { kind: "unique", sha: candidates[0] ?? "" };
  return candidates.length === 0 ? { kind: "none" } : { kind: "ambiguous", candidates };
}

/** The refusal (exit 2) when a prefix names no image or several. */
export function shaPrefixError(prefix: string, repository: string, match: { readonly kind: "none" } | { readonly kind: "ambiguous"; readonly candidates: readonly string[] }): ValidationError {
  if (match.kind === "none") {
    return new ValidationError(`--sha ${prefix}: no image in ECR repository ${repository} has a full-SHA tag starting with it (push the commit's image first, or check --sha, --repository and the region)`);
  }
  const shown = match.candidates.slice(0, 10);
  const more = match.candidates.length > shown.length ? `, and ${match.candidates.length - shown.length} more` : "";
  return new ValidationError(`--sha ${prefix} matches ${match.candidates.length} images in ECR repository ${repository}: ${shown.join(", ")}${more} (pass more digits)`);
}
