import { fstatSync } from "node:fs";
import { InterruptedError } from "../core/errors.js";
import { descriptorWriter } from "./descriptor-writer.js";
import { main } from "./main.js";

// The executable's entry: the only place that touches process.argv, signals and process.exit.

// The bundle pins its AWS SDK. The SDK's warning that *future* SDK releases need Node 22 says nothing
// about this build, and on Node 20 it would add a multi-line warning to every command's stderr.
process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";
const controller = new AbortController();
let signals = 0;
const onSignal = (signal: NodeJS.Signals): void => {
  signals += 1;
  // A second signal means "now": leave without waiting for the command to report.
  if (signals > 1) process.exit(130);
  controller.abort(new InterruptedError(`interrupted by ${signal}`));
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

void main(process.argv.slice(2), process.env, {
  stdout: descriptorWriter(1, () => process.stdout),
  stderr: descriptorWriter(2, () => process.stderr),
  // Read when the logger is made. Only a character device can be a terminal: a pipe or a file (CI's
  // logs) is answered without making `process.stderr`.
  get stderrIsTty() {
    try {
      return fstatSync(2).isCharacterDevice() && process.stderr.isTTY === true;
    } catch {
      return false;
    }
  },
}, controller.signal).then((code) => {
  // Written with write(2) (descriptorWriter): all of it has been taken by now, unless a write error
  // sent the rest to Node's stream, which may still hold some on a pipe.
  process.exit(code);
});
