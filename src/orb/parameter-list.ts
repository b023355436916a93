import { CircleCI } from "./sdk.js";
import { exposedName, PARAMETERS, type ParameterName } from "./parameters.js";

type AnyParameterList = InstanceType<typeof CircleCI.parameters.CustomParametersList>;
type AnyParameterLiteral = "string" | "boolean" | "integer" | "enum" | "steps" | "executor" | "env_var_name";

/** Overrides for one use of a shared parameter (a job whose default differs). */
export interface ParameterOverride {
  readonly default?: string | boolean | number;
  /** Default steps of a `steps` parameter, as SDK commands. */
  readonly defaultSteps?: readonly unknown[];
}

/**
 * Builds the SDK parameter list for a command or job from shared definitions, under the names users
 * see. The SDK types each component's list separately; they are the same at runtime.
 */
export function parameterList<T>(names: readonly ParameterName[], overrides: Partial<Record<ParameterName, ParameterOverride>> = {}): T {
  const list: AnyParameterList = new CircleCI.parameters.CustomParametersList<AnyParameterLiteral>();
  for (const name of names) {
    const definition: { type: AnyParameterLiteral; description: string; default?: unknown; enum?: readonly string[] } = PARAMETERS[name];
    const override = overrides[name];
    const defaultValue = override?.defaultSteps ?? (override && "default" in override ? override.default : definition.default);
    if (definition.enum) {
      list.parameters.push(new CircleCI.parameters.CustomEnumParameter(exposedName(name), [...definition.enum], defaultValue, definition.description));
    } else {
      list.parameters.push(new CircleCI.parameters.CustomParameter(exposedName(name), definition.type, defaultValue, definition.description));
    }
  }
  return list as T;
}
