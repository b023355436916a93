import { InterruptedError } from "../core/errors.js";
import { main } from "./main.js";

// The executable's entry: the only place that touches process.argv, signals and process.exit.
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
  stderrIsTty: process.stderr.isTTY === true,
}, controller.signal).then((code) => {
  // stdout and stderr are synchronous for files and pipes on Linux and macOS: nothing is lost.
  process.exit(code);
});
