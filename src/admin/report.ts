// What the admin operations say while they work, and how they fail. Two faces render it: the
// ksmbd-tools drop-ins (`[tool/PID]: LEVEL: msg` on stdout) and `ksmbd` (plain text or --json).

export interface Reporter {
  info(message: string): void;
  debug(message: string): void;
}

export const silentReporter: Reporter = {info() {}, debug() {}};

/** An admin command failed. exit 2 = the command line is wrong, 1 = the operation failed. */
export class AdminError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly exit: 1 | 2 = 1,
    /** ksmbd-tools' wording where it differs (drop-ins print this). */
    readonly toolsMessage?: string,
    /** A DEBUG line ksmbd-tools prints first (reason of an invalid name). */
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'AdminError';
  }
}
