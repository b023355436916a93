import { describe, expect, it } from "vitest";
import { MASK, Redactor } from "../../../src/core/redact.js";

describe("Redactor", () => {
  it("masks every known secret, longest first, and its JSON-escaped form", () => {
    const redactor = new Redactor();
    redactor.add("hunter2-long");
    redactor.add('pa"ss\\word');
    redactor.add("hunter2-long-extended");
    expect(redactor.redact("a hunter2-long b hunter2-long-extended")).toBe(`a ${MASK} b ${MASK}`);
    expect(redactor.redact(JSON.stringify({ v: 'pa"ss\\word' }))).toBe(`{"v":"${MASK}"}`);
    expect(redactor.redact("pa.ss")).toBe("pa.ss");
  });

  it("leaves text alone without secrets, and ignores empty ones", () => {
    const redactor = new Redactor();
    redactor.add("");
    expect(redactor.size).toBe(0);
    expect(redactor.redact("nothing (secret) here [.*]")).toBe("nothing (secret) here [.*]");
  });

  it("masks secrets inside JSON strings only, so a document stays valid JSON whatever the secret", () => {
    const redactor = new Redactor();
    for (const secret of ["true", "1", "null", '"', "hunter2"]) redactor.add(secret);
    const document = { dryRun: true, count: 1, none: null, image: "repo:1a", hunter2: ["say hunter2", 'a"b'], at: new Date(Date.UTC(2021, 0, 1)) };
    const text = redactor.redactJson(document, 2);
    const parsed = JSON.parse(text) as Record<string, unknown>;
    // Short secrets mask the whole word they are in (below).
    expect(parsed).toMatchObject({ dryRun: true, count: 1, none: null, image: MASK, [MASK]: [`say ${MASK}`, MASK] });
    expect(parsed["at"]).toBe(MASK);
    expect(new Redactor().redactJson({ a: [1, "x"] })).toBe('{"a":[1,"x"]}');
  });

  // A short secret masked in place shows where it matched: "u****ards" gives away that the secret is
  // "pw" to anyone who knows the word. Under 8 characters, the whole word (run of non-blanks) goes.
  it("masks a short secret (under 8 characters) with the whole word around it, never in place", () => {
    const redactor = new Redactor();
    redactor.add("pw");
    redactor.add("a-long-secret");
    expect(redactor.redact("moving upwards: pw, then a-long-secret!")).toBe(`moving ${MASK} ${MASK} then ${MASK}!`);
    expect(redactor.redact("nothing here")).toBe("nothing here");
    expect(Redactor.isShort("pw")).toBe(true);
    expect(Redactor.isShort("12345678")).toBe(false);
  });
});

describe("Redactor, its edges", () => {
  it("the mask is four asterisks (the documentation and the troubleshooting page show it)", () => {
    const redactor = new Redactor();
    redactor.add("hunter2");
    expect(redactor.redact("password hunter2")).toBe("password ****");
  });

  it("a circular structure is refused with a TypeError naming it, not a stack overflow", () => {
    const redactor = new Redactor();
    redactor.add("hunter2");
    const value: Record<string, unknown> = { password: "hunter2" };
    value["self"] = value;
    expect(() => redactor.redactJson(value)).toThrow(new TypeError("cannot print a circular structure as JSON"));
  });
});
