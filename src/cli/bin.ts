import { InterruptedError } from "../core/errors.js";
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
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  // Read when the logger is made: `process.stderr` is a stream Node makes on first use (5 ms for a
  // pipe), which --version and --help never write to.
  get stderrIsTty() {
    return process.stderr.isTTY === true;
  },
}, controller.signal).then((code) => {
  // stdout and stderr are synchronous for files and pipes on Linux and macOS: nothing is lost.
  process.exit(code);
});
