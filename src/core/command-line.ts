import { ValidationError } from "./errors.js";

/**
 * Splits a command line such as `python manage.py migrate --database "main db"` into the argv array
 * ECS takes as a container's `command` override (the exec form: no shell runs it).
 *
 * Quoting follows the POSIX shell: whitespace separates words; 'single quotes' keep everything
 * literally; "double quotes" keep everything but `\` before `$`, `` ` ``, `"`, `\` or a newline; an
 * unquoted `\` keeps the next character (and `\` + newline joins lines); `""` is an empty argument.
 *
 * Nothing is expanded, so anything a shell would have interpreted differently is refused rather than
 * passed on silently: unquoted `| & ; < > ( )`, `$` and `` ` `` outside single quotes, and a second
 * line. Such commands need a shell, and say so: `sh -c '…'` (which the image must contain).
 * Throws a ValidationError naming `what` (the flag) otherwise.
 */
export function splitCommandLine(text: string, what = "--command"): string[] {
  const words: string[] = [];
  let word = "";
  /** A word has started (so `""` counts as an empty argument). */
  let inWord = false;
  let sawLineBreak = false;
  const needsShell = (found: string): ValidationError =>
    new ValidationError(
      `${what} contains ${found}, which only a shell interprets; the command runs without one: quote it to pass it literally, or run a shell yourself, e.g. ${what} 'sh -c "…"'`,
    );

  for (let index = 0; index < text.length; index++) {
    const char = text[index] as string;
    if (char === " " || char === "\t" || char === "\n" || char === "\r") {
      if (inWord) {
        words.push(word);
        word = "";
        inWord = false;
      }
      if (char === "\n" && words.length > 0) sawLineBreak = true;
      continue;
    }
    if (char === "\\") {
      if (index + 1 >= text.length) throw new ValidationError(`${what} ends with a lone backslash: escape it as \\\\ or quote it`);
      const next = text[++index] as string;
      if (next === "\n") continue; // a line continuation, as in the shell
      if (sawLineBreak) throw needsShell("a second line");
      word += next;
      inWord = true;
      continue;
    }
    if (sawLineBreak) throw needsShell("a second line");
    inWord = true;
    if (char === "'") {
      const end = text.indexOf("'", index + 1);
      if (end < 0) throw new ValidationError(`${what} has an unterminated single quote: ${text}`);
      word += text.slice(index + 1, end);
      index = end;
      continue;
    }
    if (char === '"') {
      let closed = false;
      for (index++; index < text.length; index++) {
        const inner = text[index] as string;
        if (inner === '"') {
          closed = true;
          break;
        }
        if (inner === "$" || inner === "`") throw needsShell(`"${inner}" inside double quotes (a shell would expand it)`);
        if (inner === "\\" && index + 1 < text.length && "$`\"\\\n".includes(text[index + 1] as string)) {
          const escaped = text[++index] as string;
          if (escaped !== "\n") word += escaped;
          continue;
        }
        word += inner;
      }
      if (!closed) throw new ValidationError(`${what} has an unterminated double quote: ${text}`);
      continue;
    }
    if ("|&;<>()".includes(char)) throw needsShell(`an unquoted "${char}"`);
    if (char === "$" || char === "`") throw needsShell(`an unquoted "${char}" (a shell would expand it)`);
    word += char;
  }
  if (inWord) words.push(word);
  if (words.length === 0) throw new ValidationError(`${what} is empty: give the command to run, e.g. ${what} "python manage.py migrate"`);
  return words;
}

/** Formats argv for humans so that splitCommandLine reads it back to the same array. */
export function formatCommandLine(argv: readonly string[]): string {
  return argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(" ");
}
