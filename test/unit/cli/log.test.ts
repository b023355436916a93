/**
 * Issue 14.2 and 14.8: the logger redacts the whole message, then prints it as one line with control
 * characters escaped — a value cannot forge a log line, and a SecureString with a newline in it,
 * echoed by an AWS error, is masked whole (never its first line).
 */
import { describe, expect, it } from "vitest";
import { translateAwsError } from "../../../src/core/aws-errors.js";
import { createLogger, escapeControlCharacters, printableText } from "../../../src/cli/log.js";
import { Redactor } from "../../../src/core/redact.js";

function collect(redactor = new Redactor()): { lines: () => string[]; log: ReturnType<typeof createLogger> } {
  let out = "";
  const log = createLogger({ write: (t) => (out += t), redactor, debug: true, color: false, now: () => Date.parse("2026-12-01T00:00:00Z") });
  return { lines: () => out.split("\n").filter((l) => l !== ""), log };
}

describe("log lines cannot be forged (issue 14.8)", () => {
  it("a cluster name with a newline and a fake timestamp prints one line", () => {
    const { log, lines } = collect();
    log.error(`cluster "x\n2026-12-01T00:00:01Z released web:9" not found`);
    expect(lines()).toEqual([`2026-12-01T00:00:00Z error: cluster "x\\n2026-12-01T00:00:01Z released web:9" not found`]);
  });

  it.each([
    ["CR", "a\rb", "a\\rb"],
    ["ESC", "a\u001b[31mred", "a\\x1b[31mred"],
    ["NUL and DEL", "a\u0000b\u007f", "a\\x00b\\x7f"],
    ["C1 CSI", "a\u009bb", "a\\x9bb"],
    ["Unicode line separator", "a\u2028b", "a\\u2028b"],
    ["tab (kept)", "a\tb", "a\tb"],
  ])("%s is escaped", (_name, input, expected) => expect(escapeControlCharacters(input)).toBe(expected));

  it("every level prints one line per event", () => {
    const { log, lines } = collect();
    log.info("a\nb");
    log.warn("c\nd");
    log.debug("e\nf");
    expect(lines()).toHaveLength(3);
  });
});

describe("redact, then cut (issue 14.2)", () => {
  it("a multi-line SecureString echoed by a multi-line AWS error is masked whole, no line of it printed", () => {
    const secret = "MARKER-first-line\nMARKER-second-line";
    const redactor = new Redactor();
    redactor.add(secret);
    const sdkError = Object.assign(new Error(`Invalid value at 'containerDefinitions.1.environment' failed to satisfy constraint: ${secret}\nrequest id abc`), { name: "ClientException" });
    const error = translateAwsError("RegisterTaskDefinition", "web", sdkError);
    const { log, lines } = collect(redactor);
    log.error(error.message);
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).not.toContain("MARKER-first-line");
    expect(lines()[0]).not.toContain("MARKER-second-line");
    expect(lines()[0]).toContain("constraint: ****");
  });
});

describe("printableText: what commands print on stdout (status and history tables, JSON)", () => {
  it("escapes control characters within each line and keeps the line breaks", () => {
    const table = "SERVICE  EVENT\nweb      stopped: \u001b[2Jcleared\rfake row\u2028\nworker   ok\ttabbed";
    expect(printableText(table)).toBe("SERVICE  EVENT\nweb      stopped: \\x1b[2Jcleared\\rfake row\\u2028\nworker   ok\ttabbed");
    // Positive control: the raw text did hold the escape sequence the terminal would have run.
    expect(table).toContain("\u001b[2J");
    expect(printableText('{"a":"b"}\n')).toBe('{"a":"b"}\n');
  });
});
