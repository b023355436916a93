import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatCommandLine, splitCommandLine } from "../../../src/core/command-line.js";
import { ValidationError } from "../../../src/core/errors.js";
import { assertProperty } from "../../helpers/property.js";

describe("splitCommandLine", () => {
  it.each<[string, string[]]>([
    ["python manage.py migrate", ["python", "manage.py", "migrate"]],
    ["  bin/rails   db:migrate\t", ["bin/rails", "db:migrate"]],
    ['migrate --name "main db"', ["migrate", "--name", "main db"]],
    ["migrate --name 'main db'", ["migrate", "--name", "main db"]],
    ["echo 'it''s'", ["echo", "its"]],
    ["echo it\\'s", ["echo", "it's"]],
    ["a\\ b c", ["a b", "c"]],
    ['say "a \\"quoted\\" word"', ["say", 'a "quoted" word']],
    ['say "back\\\\slash"', ["say", "back\\slash"]],
    ['say "keep \\n as is"', ["say", "keep \\n as is"]],
    ["say 'no \\ escapes in single quotes'", ["say", "no \\ escapes in single quotes"]],
    ["say '$HOME and `pwd` stay literal'", ["say", "$HOME and `pwd` stay literal"]],
    ["say \\$HOME", ["say", "$HOME"]],
    ['say "" \'\'', ["say", "", ""]],
    ['pre"fix"\'ed\'', ["prefixed"]],
    ["sh -c 'bin/migrate && bin/seed'", ["sh", "-c", "bin/migrate && bin/seed"]],
    ['sh -c "bin/migrate | tee out"', ["sh", "-c", "bin/migrate | tee out"]],
    ["bin/migrate \\\n  --verbose", ["bin/migrate", "--verbose"]],
    ["bin/migrate\n", ["bin/migrate"]],
    ["\n  bin/migrate --all\n\n", ["bin/migrate", "--all"]],
    ['say "two\nlines"', ["say", "two\nlines"]],
    ["glob * stays?", ["glob", "*", "stays?"]],
    ["key=value --flag=x,y", ["key=value", "--flag=x,y"]],
    ["ünïcode 'ok'", ["ünïcode", "ok"]],
  ])("%j → %j", (text, argv) => {
    expect(splitCommandLine(text)).toEqual(argv);
  });

  it.each<[string, RegExp]>([
    ["", /is empty/],
    ["   \n ", /is empty/],
    ["say 'open", /unterminated single quote/],
    ['say "open', /unterminated double quote/],
    ["say trailing\\", /lone backslash/],
    ["bin/migrate && bin/seed", /unquoted "&".*sh -c/],
    ["bin/migrate; bin/seed", /unquoted ";"/],
    ["bin/migrate | tee", /unquoted "\|"/],
    ["bin/migrate > out", /unquoted ">"/],
    ["bin/migrate < in", /unquoted "<"/],
    ["(bin/migrate)", /unquoted "\("/],
    ["echo $HOME", /unquoted "\$"/],
    ["echo `date`", /unquoted "`"/],
    ['echo "$HOME"', /inside double quotes/],
    ["bin/migrate\nbin/seed", /second line/],
  ])("refuses %j", (text, message) => {
    expect(() => splitCommandLine(text, "--pre-deploy-command")).toThrow(ValidationError);
    expect(() => splitCommandLine(text, "--pre-deploy-command")).toThrow(message);
    expect(() => splitCommandLine(text, "--pre-deploy-command")).toThrow(/--pre-deploy-command/);
  });
});

describe("formatCommandLine", () => {
  it.each<[string[], string]>([
    [["python", "manage.py", "migrate"], "python manage.py migrate"],
    [["sh", "-c", "a && b"], "sh -c 'a && b'"],
    [["say", ""], "say ''"],
    [["say", "it's"], "say 'it'\\''s'"],
  ])("%j → %s", (argv, text) => {
    expect(formatCommandLine(argv)).toBe(text);
  });

  it("is read back by splitCommandLine to the same argv", () => {
    const arg = fc.string({ unit: fc.constantFrom("a", "Z", "0", " ", "'", '"', "\\", "$", "`", "&", ";", "|", "\t", "\n", "é", "-", "=") });
    assertProperty(
      fc.property(fc.array(arg, { minLength: 1, maxLength: 5 }), (argv) => {
        expect(splitCommandLine(formatCommandLine(argv))).toEqual(argv);
      }),
    );
  });
});
