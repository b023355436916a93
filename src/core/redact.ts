/** What stands in the place of a secret in any output. */
export const MASK = "****";

/** Secrets shorter than this are masked with the word around them (Redactor.isShort). */
const SHORT_SECRET = 8;

/**
 * Remembers secret values (SecureString parameters) and masks them in any text.
 * The AWS layer registers every decrypted SecureString value as it reads it; the CLI passes every
 * line it prints (logs, errors, JSON, --debug) through `redact`. A second line of defence: the code
 * that builds output masks secrets itself as well.
 */
export class Redactor {
  readonly #secrets = new Set<string>();
  #pattern: RegExp | null | undefined;
  #shortPattern: RegExp | null | undefined;

  /**
   * Under 8 characters a secret is short: masked in place it would show where it matched (the letters
   * around it give it away), so it is masked with the whole word around it; and it is easy to guess
   * (release warns about it).
   */
  static isShort(secret: string): boolean {
    return secret.length < SHORT_SECRET;
  }

  /** Adds a secret value. Every occurrence is masked, however short the value (even inside other words). */
  add(secret: string): void {
    if (secret.length === 0 || this.#secrets.has(secret)) return;
    this.#secrets.add(secret);
    this.#pattern = undefined;
    this.#shortPattern = undefined;
  }

  /** How many secret values are known. */
  get size(): number {
    return this.#secrets.size;
  }

  /** Replaces every known secret value (and its JSON-escaped form) in `text` with the mask. */
  redact(text: string): string {
    if (this.#secrets.size === 0) return text;
    if (this.#pattern === undefined) this.#pattern = this.#buildPattern([...this.#secrets].filter((secret) => !Redactor.isShort(secret)));
    if (this.#shortPattern === undefined) {
      const short = this.#buildPattern([...this.#secrets].filter((secret) => Redactor.isShort(secret)));
      this.#shortPattern = short === null ? null : new RegExp(`\\S*(?:${short.source})\\S*`, "g");
    }
    const masked = this.#pattern === null ? text : text.replace(this.#pattern, MASK);
    return this.#shortPattern === null ? masked : masked.replace(this.#shortPattern, MASK);
  }

  /**
   * `value` as JSON (indented by `space`) with every known secret masked inside its strings (keys
   * and values). Numbers, literals and punctuation are never touched, so the document stays valid
   * JSON even when a secret is `1`, `true` or `null` (masking the serialised text would break it).
   */
  redactJson(value: unknown, space?: number): string {
    return JSON.stringify(this.#redactDeep(value, new WeakSet()), null, space);
  }

  #redactDeep(value: unknown, seen: WeakSet<object>): unknown {
    if (typeof value === "string") return this.redact(value);
    if (typeof value !== "object" || value === null || this.#secrets.size === 0) return value;
    if (seen.has(value)) throw new TypeError("cannot print a circular structure as JSON");
    seen.add(value);
    const json = (value as { toJSON?: unknown }).toJSON;
    const plain = typeof json === "function" ? (json as () => unknown).call(value) : value;
    const copy = plain !== value ? this.#redactDeep(plain, seen) : Array.isArray(value) ? value.map((item) => this.#redactDeep(item, seen)) : Object.fromEntries(Object.entries(value).map(([key, item]) => [this.redact(key), this.#redactDeep(item, seen)]));
    seen.delete(value);
    return copy;
  }

  #buildPattern(secrets: readonly string[]): RegExp | null {
    if (secrets.length === 0) return null;
    const forms = new Set<string>();
    for (const secret of secrets) {
      forms.add(secret);
      forms.add(JSON.stringify(secret).slice(1, -1));
    }
    // Longest first, so a secret that contains another is masked whole.
    const alternatives = [...forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
    return new RegExp(alternatives.join("|"), "g");
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
