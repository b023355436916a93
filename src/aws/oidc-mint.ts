/**
 * Minting CircleCI OIDC tokens: `circleci run oidc get --claims '{"aud":"<audience>"}'`
 * (https://circleci.com/docs/oidc-tokens-with-custom-claims/), the first hop of the credentials in
 * oidc-credentials.ts. Apart from it (no AWS SDK here), so that the CLI can start the first mint as soon
 * as it has parsed its command line, while it loads the SDK: the mint is a process of its own (and a
 * request to CircleCI), so it runs beside the loading instead of after it.
 */
import { execFile } from "node:child_process";
import { mintFailedMessage } from "../core/oidc-settings.js";

/** Runs `circleci run oidc get …` and resolves to the token it printed. */
export type TokenMinter = (audience: string) => Promise<string>;

/** The minter that runs CircleCI's CLI (present in every CircleCI job) with the job's environment. */
export function circleciTokenMinter(env: Readonly<Record<string, string | undefined>>): TokenMinter {
  return (audience) =>
    new Promise((resolve, reject) => {
      const childEnv = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
      execFile("circleci", ["run", "oidc", "get", "--claims", JSON.stringify({ aud: audience })], { env: childEnv, timeout: 60_000 }, (error, stdout, stderr) => {
        const token = stdout.trim();
        if (error || token === "") {
          const notOnPath = error ? (error as NodeJS.ErrnoException).code === "ENOENT" : false;
          reject(new Error(mintFailedMessage({ notOnPath, stderr, ...(error ? { message: error.message } : {}) })));
          return;
        }
        resolve(token);
      });
    });
}

/**
 * Starts minting a token for `audience` now; the minter returned answers its first call for that
 * audience with this token (or its error) and mints afresh after that. A token never asked for is
 * dropped unread (its error too).
 */
export function mintAhead(mint: TokenMinter, audience: string): TokenMinter {
  let ahead: Promise<string> | undefined = mint(audience);
  ahead.catch(() => undefined);
  return (wanted) => {
    const token = wanted === audience ? ahead : undefined;
    ahead = undefined;
    return token ?? mint(wanted);
  };
}
