/** Counted nouns for messages. Pure. */

/** `1 service`, `2 services`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
