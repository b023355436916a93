import { GetParametersByPathCommand } from "@aws-sdk/client-ssm";
import type { SsmParameter } from "../core/ssm-environment.js";
import { awsCall } from "./call.js";
import type { AwsClients } from "./clients.js";

/** What readParametersByPath reports besides the parameters. */
export interface ReadParametersOptions {
  /**
   * Called with every decrypted SecureString value as soon as it is read (pass
   * `(v) => redactor.add(v)`), so no output can print it.
   */
  readonly onSecret: (value: string) => void;
  /** Aborts the reads (SIGINT/SIGTERM). */
  readonly signal?: AbortSignal;
}

/**
 * Every parameter under `path`, recursively, decrypted: GetParametersByPath paged with the
 * maximum page size (10), following NextToken until it is absent. Pages are read one after the
 * other (each needs the previous token). Sorted by name.
 */
export async function readParametersByPath(clients: Pick<AwsClients, "ssm">, path: string, options: ReadParametersOptions): Promise<SsmParameter[]> {
  const parameters: SsmParameter[] = [];
  let nextToken: string | undefined;
  do {
    const token = nextToken;
    const page = await awsCall("GetParametersByPath", path, () =>
      clients.ssm.send(new GetParametersByPathCommand({ Path: path, Recursive: true, WithDecryption: true, MaxResults: 10, ...(token ? { NextToken: token } : {}) }), options.signal ? { abortSignal: options.signal } : {}),
    );
    for (const parameter of page.Parameters ?? []) {
      if (parameter.Name === undefined) continue;
      const value = parameter.Value ?? "";
      if (parameter.Type === "SecureString") options.onSecret(value);
      parameters.push({ name: parameter.Name, value, type: parameter.Type ?? "String", arn: parameter.ARN });
    }
    nextToken = page.NextToken || undefined;
  } while (nextToken);
  return parameters.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
