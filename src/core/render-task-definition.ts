/**
 * Renders the new revision of a family (cli.md, release steps 2–4). Pure.
 *
 * The application containers get the image and the environment; sidecars are left as they are.
 * The environment is exclusive: the application container's `environment` is replaced by SSM +
 * `--env`, so a parameter deleted from SSM disappears. Only with an explicit template file are that
 * file's literal `environment` entries kept as a base (SSM and `--env` override them): a file is
 * written by hand, a previous revision's environment came from SSM. `secrets` entries that reference
 * parameters under the SSM path are replaced the same way; other `secrets` (Secrets Manager, other
 * paths) are kept unless a rendered variable of the same name replaces them.
 */
import { parseSecretsManagerValueFrom, snapshotSecretName } from "./secret-snapshot.js";
import type { RenderedEnvironment } from "./ssm-environment.js";
import type { ContainerDefinitionInput, TaskDefinitionInput, TaskDefinitionTemplate } from "./template.js";

/** What renderTaskDefinition needs. */
export interface RenderInput {
  readonly template: TaskDefinitionTemplate;
  /** True when the template is a file the user wrote (its literal environment is kept as a base). */
  readonly fromFile: boolean;
  /** Names of the application containers (see selectContainers). */
  readonly containers: readonly string[];
  readonly image: string;
  readonly environment: RenderedEnvironment;
  /** The normalised SSM path (to recognise `secrets` that reference it). */
  readonly ssmPath: string;
  /** Tags of this release (TAG.*), added to the template's own. */
  readonly releaseTags: Readonly<Record<string, string>>;
}

/** A rendered revision: the RegisterTaskDefinition input (without tags) and its tags. */
export interface RenderedTaskDefinition {
  readonly input: TaskDefinitionInput;
  readonly tags: Readonly<Record<string, string>>;
}

/** Renders the new revision. Never changes `input.template`. */
export function renderTaskDefinition(input: RenderInput): RenderedTaskDefinition {
  const rendered = structuredClone(input.template.input);
  const renderedNames = new Set([...input.environment.environment.map((e) => e.name), ...input.environment.secrets.map((s) => s.name)]);
  rendered.containerDefinitions = rendered.containerDefinitions.map((container) => {
    if (!input.containers.includes(container.name ?? "")) return container;
    return renderContainer(container, input, renderedNames);
  });
  return { input: rendered, tags: { ...input.template.tags, ...input.releaseTags } };
}

function renderContainer(container: ContainerDefinitionInput, input: RenderInput, renderedNames: ReadonlySet<string>): ContainerDefinitionInput {
  const base = input.fromFile ? (container.environment ?? []).filter((e) => e.name !== undefined && !renderedNames.has(e.name)) : [];
  const environment = [...base.map((e) => ({ name: e.name ?? "", value: e.value ?? "" })), ...input.environment.environment.map((e) => ({ name: e.name, value: e.value }))].sort(
    (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  // References under the path the template revision was released from are that release's SSM
  // environment, not the template's own: another environment's (or an older path's) are not carried over.
  const previousPath = input.fromFile ? undefined : input.template.releasedFromSsmPath;
  // So are references to ecs-release's Secrets Manager snapshot of either path: the release references
  // the SecureStrings of today's SSM anew, and one deleted from SSM must go.
  const fromSsm = (valueFrom: string): boolean =>
    referencesPath(valueFrom, input.ssmPath) || referencesSnapshot(valueFrom, input.ssmPath) || (previousPath !== undefined && (referencesPath(valueFrom, previousPath) || referencesSnapshot(valueFrom, previousPath)));
  const keptSecrets = (container.secrets ?? []).filter((s) => !renderedNames.has(s.name ?? "") && !fromSsm(s.valueFrom ?? ""));
  const secrets = [...keptSecrets, ...input.environment.secrets.map((s) => ({ name: s.name, valueFrom: s.valueFrom }))];
  const next: ContainerDefinitionInput = { ...container, image: input.image, environment };
  if (secrets.length > 0 || container.secrets !== undefined) next.secrets = secrets;
  return next;
}

/** True when a `secrets[].valueFrom` references ecs-release's Secrets Manager snapshot of the SSM path (`ecs-release/<path>-xxxxxx`). */
function referencesSnapshot(valueFrom: string, ssmPath: string): boolean {
  const reference = parseSecretsManagerValueFrom(valueFrom);
  const name = reference?.secretArn.split(":")[6] ?? "";
  // Secrets Manager appends a hyphen and six random characters to the name in the ARN.
  return reference !== undefined && name.slice(0, -7) === snapshotSecretName(ssmPath);
}

/** True when a `secrets[].valueFrom` (parameter name or ARN) points under the SSM path. */
export function referencesPath(valueFrom: string, ssmPath: string): boolean {
  const arn = /^arn:[^:]+:ssm:[^:]*:[^:]*:parameter(\/.*)$/.exec(valueFrom);
  const name = arn?.[1] ?? (valueFrom.startsWith("/") ? valueFrom : undefined);
  if (name === undefined) return false;
  return ssmPath === "/" || name.startsWith(`${ssmPath}/`);
}

/** True when some container has `secrets`: ECS reads them with the execution role at task start. */
export function needsExecutionRole(taskDefinition: TaskDefinitionInput): boolean {
  return taskDefinition.containerDefinitions.some((c) => (c.secrets ?? []).length > 0);
}
