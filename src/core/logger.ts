/**
 * How commands report progress. The CLI implements it (timestamped lines on stderr, secrets
 * masked, colour unless NO_COLOR); tests collect the lines.
 */
export interface Logger {
  /** A progress event, one line. */
  info(message: string): void;
  /** Something the user should act on, though the command goes on. */
  warn(message: string): void;
  /** Detail shown only with --debug. */
  debug(message: string): void;
}

/** A logger that drops everything (for library use and quiet tests). */
export const silentLogger: Logger = { info() {}, warn() {}, debug() {} };
