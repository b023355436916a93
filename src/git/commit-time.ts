/** The commit's time, for reproducible images (push): SOURCE_DATE_EPOCH, else what git knows. */
import { execFile } from "node:child_process";
import { ValidationError } from "../core/errors.js";

/**
 * The commit time in Unix seconds, for reproducible images: SOURCE_DATE_EPOCH when set
 * (https://reproducible-builds.org/specs/source-date-epoch/), else the committer time git knows for
 * `sha` in the build context, else undefined.
 */
export async function commitTime(sourceDateEpoch: string | undefined, cwd: string, sha: string): Promise<number | undefined> {
  if (sourceDateEpoch !== undefined && sourceDateEpoch !== "") {
    if (!/^\d{1,12}$/.test(sourceDateEpoch)) throw new ValidationError(`SOURCE_DATE_EPOCH "${sourceDateEpoch}" is not a Unix time in seconds`);
    return Number(sourceDateEpoch);
  }
  if (!/^[0-9a-f]{40}$|^[0-9a-f]{64}$/.test(sha)) return undefined; // push reports the bad SHA itself
  return new Promise((resolve) => {
    execFile("git", ["show", "-s", "--format=%ct", sha, "--"], { cwd }, (error, stdout) => {
      const seconds = stdout.trim();
      resolve(error || !/^\d+$/.test(seconds) ? undefined : Number(seconds));
    });
  });
}
