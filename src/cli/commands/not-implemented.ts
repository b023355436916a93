import { ValidationError } from "../../core/errors.js";
import type { CommandOutcome } from "../command.js";

/** Placeholder adapter for a command whose implementation has not landed yet. */
export async function notImplemented(name: string): Promise<CommandOutcome> {
  throw new ValidationError(`ecs-release ${name} is not implemented in this build`);
}
