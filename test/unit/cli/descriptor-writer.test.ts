import { execFileSync } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { descriptorWriter } from "../../../src/cli/descriptor-writer.js";

// bin.ts writes stdout and stderr with write(2) and falls back to Node's stream on any error (src/cli/descriptor-writer.ts).
describe("descriptorWriter", () => {
  const open: number[] = [];
  let dir = "";
  afterEach(() => {
    for (const fd of open.splice(0)) closeSync(fd);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A FIFO opened non-blocking for reading and writing: a pipe whose buffer fills (EAGAIN), as another process can leave stdout. */
  function nonBlockingPipe(): number {
    dir = mkdtempSync(join(tmpdir(), "descriptor-writer-"));
    execFileSync("mkfifo", [join(dir, "fifo")]);
    const fd = openSync(join(dir, "fifo"), constants.O_RDWR | constants.O_NONBLOCK);
    open.push(fd);
    return fd;
  }

  function drain(fd: number): Buffer {
    const chunks: Buffer[] = [];
    const buffer = Buffer.alloc(65536);
    for (;;) {
      let n = 0;
      try {
        n = readSync(fd, buffer);
      } catch {
        break; // EAGAIN: empty
      }
      if (n === 0) break;
      chunks.push(Buffer.from(buffer.subarray(0, n)));
    }
    return Buffer.concat(chunks);
  }

  it("writes to the descriptor, in order, without touching the stream", () => {
    const fd = nonBlockingPipe();
    const write = descriptorWriter(fd, () => {
      throw new Error("the stream was made");
    }, "linux");
    write("one ");
    write("twø\n");
    expect(drain(fd).toString("utf8")).toBe("one twø\n");
  });

  it("hands the rest of a write the pipe could not take, and every later write, to the stream: nothing lost, nothing twice", () => {
    const fd = nonBlockingPipe();
    const streamed: Buffer[] = [];
    let made = 0;
    const write = descriptorWriter(fd, () => {
      made += 1;
      return { write: (chunk: string | Uint8Array) => streamed.push(Buffer.from(chunk)) > 0 };
    }, "linux");
    const big = "é".repeat(200_000); // 400 KB: more than a pipe holds
    write(big);
    write("after");
    const direct = drain(fd);
    expect(direct.length).toBeGreaterThan(0);
    expect(Buffer.concat([direct, ...streamed]).toString("utf8")).toBe(`${big}after`);
    expect(streamed.at(-1)?.toString()).toBe("after");
    expect(made).toBe(2);
  });

  it("uses the stream on Windows", () => {
    const streamed: string[] = [];
    const write = descriptorWriter(-1, () => ({ write: (chunk: string | Uint8Array) => streamed.push(Buffer.from(chunk).toString()) > 0 }), "win32");
    write("x");
    expect(streamed).toEqual(["x"]);
  });
});
