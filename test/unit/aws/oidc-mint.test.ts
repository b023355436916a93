/** mintAhead: the first token is minted before it is asked for, and handed over once. */
import { describe, expect, it } from "vitest";
import { mintAhead } from "../../../src/aws/oidc-mint.js";

describe("mintAhead", () => {
  it("mints at once; the first ask for that audience gets that token, later asks mint afresh", async () => {
    const minted: string[] = [];
    const mint = (audience: string) => {
      minted.push(audience);
      return Promise.resolve(`token-${minted.length}`);
    };
    const minter = mintAhead(mint, "org");
    expect(minted).toEqual(["org"]); // before anything asked
    expect(await minter("org")).toBe("token-1");
    expect(minted).toHaveLength(1);
    expect(await minter("org")).toBe("token-2");
    expect(minted).toHaveLength(2);
  });

  it("another audience is minted for itself; the error of the early mint reaches the first ask, not before", async () => {
    const failing = mintAhead(() => Promise.reject(new Error("circleci not found")), "org");
    await new Promise((resolve) => setImmediate(resolve)); // no unhandled rejection meanwhile
    await expect(failing("org")).rejects.toThrow("circleci not found");
    let asked = "";
    const other = mintAhead(async (audience) => ((asked = audience), `for-${audience}`), "org");
    expect(await other("elsewhere")).toBe("for-elsewhere");
    expect(asked).toBe("elsewhere");
  });
});
