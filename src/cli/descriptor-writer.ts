import { writeSync } from "node:fs";

/**
 * Writes to stdout or stderr with write(2) on the descriptor, without making Node's stream for it.
 * `process.stdout` and `process.stderr` are made on first use, and making one for a pipe loads Node's
 * net and stream code: 4 ms, paid by every command before its first line (`node -e
 * "process.stdout.write('x')"` against `node -e "fs.writeSync(1,'x')"`, docs/performance.md, "Cold
 * start"). It also keeps output that the stream lost: Node's streams write pipes asynchronously on
 * POSIX (https://nodejs.org/api/process.html#a-note-on-process-i-o), and bin.ts ends with
 * process.exit, so what a slow reader had not taken yet was cut off (100,000 lines into a reader that
 * waited a second arrived as 593). write(2) returns once the descriptor has taken the bytes, so all of
 * it arrives, in the order written across stdout and stderr. The price: while a write waits for a
 * stalled reader, SIGINT and SIGTERM wait too (their handlers run on the event loop); SIGKILL does not.
 * Any error — EAGAIN on a descriptor another process made non-blocking, EPIPE on a closed pipe — hands
 * what is left of this write, and every later one, to the stream, which then behaves as before (what it
 * still holds at exit can be lost, as before). On Windows, whose console the stream writes as UTF-16,
 * the stream is used.
 */
export function descriptorWriter(fd: number, stream: () => Pick<NodeJS.WritableStream, "write">, platform: NodeJS.Platform = process.platform): (text: string) => void {
  let toStream = platform === "win32";
  return (text) => {
    let rest = Buffer.from(text, "utf8");
    if (!toStream) {
      try {
        while (rest.length > 0) rest = rest.subarray(writeSync(fd, rest));
        return;
      } catch {
        toStream = true;
      }
    }
    stream().write(rest);
  };
}
