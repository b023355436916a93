import type { Command } from "../command.js";
import { continueCommand } from "./continue.js";
import { historyCommand } from "./history.js";
import { pruneCommand } from "./prune.js";
import { pushCommand } from "./push.js";
import { releaseCommand } from "./release.js";
import { rollbackCommand } from "./rollback.js";
import { runTaskCommand } from "./run-task.js";
import { statusCommand } from "./status.js";
import { verifyCommand } from "./verify.js";

/** Every command, in the order of the deployment process. */
export const COMMANDS: readonly Command[] = [pushCommand, verifyCommand, releaseCommand, continueCommand, rollbackCommand, historyCommand, statusCommand, pruneCommand, runTaskCommand];
