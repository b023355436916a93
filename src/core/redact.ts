/** What stands in the place of a secret in any output. */
export const MASK = "****";

/**
 * Remembers secret values (SecureString parameters) and masks them in any text.
 * The AWS layer registers every decrypted SecureString value as it reads it; the CLI passes every
 * line it prints (logs, errors, JSON, --debug) through `redact`. A second line of defence: the code
 * that builds output masks secrets itself as well.
 */
export class Redactor {
  readonly #secrets = new Set<string>();
  #pattern: RegExp | undefined;

  /** Adds a secret value. Values shorter than 4 characters are still masked, but only as whole text. */
  add(secret: string): void {
    if (secret.length === 0 || this.#secrets.has(secret)) return;
    this.#secrets.add(secret);
    this.#pattern = undefined;
  }

  /** How many secret values are known. */
  get size(): number {
    return this.#secrets.size;
  }

  /** Replaces every known secret value (and its JSON-escaped form) in `text` with the mask. */
  redact(text: string): string {
    if (this.#secrets.size === 0) return text;
    this.#pattern ??= this.#buildPattern();
    return text.replace(this.#pattern, MASK);
  }

  #buildPattern(): RegExp {
    const forms = new Set<string>();
    for (const secret of this.#secrets) {
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
