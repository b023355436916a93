/**
 * The CircleCI Config SDK, and the few typed helpers the orb generator needs around it.
 * The SDK is CommonJS: its default export is the whole module.
 */
import CircleCI from "@circleci/circleci-config-sdk";

export { CircleCI };

/** A step as the SDK models it. */
export type Step = InstanceType<typeof CircleCI.commands.Run> | InstanceType<typeof CircleCI.reusable.ReusedCommand>;

/** `<< parameters.name >>`: the text CircleCI replaces with a parameter's value before the job runs. */
export function parameterRef(name: string): string {
  return `<< parameters.${name} >>`;
}

/**
 * Escapes CircleCI's parameter syntax in text embedded verbatim (scripts): CircleCI treats `<<` as the
 * start of an expression everywhere in an orb and reads `\<<` as a literal `<<`.
 */
export function escapeParameterSyntax(text: string): string {
  return text.replace(/<</g, "\\<<");
}

type SdkCommand = InstanceType<typeof CircleCI.commands.Run>;

/**
 * A `when` (or `unless`) step: the SDK models conditions for workflows only, so this small step
 * generates `{ when: { condition, steps } }` itself.
 */
export function conditionalStep(kind: "when" | "unless", condition: string | Record<string, unknown>, steps: readonly SdkCommand[] | readonly { generate(): unknown }[]): SdkCommand {
  const step = {
    name: kind,
    generableType: "when" as unknown,
    generate: () => ({ [kind]: { condition, steps: steps.map((s) => s.generate()) } }),
  };
  return step as unknown as SdkCommand;
}

/**
 * `- steps: << parameters.name >>`: a `steps` parameter spliced into a job or command, in the form
 * CircleCI documents (https://circleci.com/docs/reusing-config/#steps).
 */
export function stepsParameter(name: string): SdkCommand {
  const step = { name: "steps", generableType: "steps" as unknown, generate: () => ({ steps: parameterRef(name) }) };
  return step as unknown as SdkCommand;
}
