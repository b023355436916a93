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
