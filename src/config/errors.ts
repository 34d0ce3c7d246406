/** A configuration or database file that cannot be used; ends a CLI command (exit 1) or a reload. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly file?: string,
    readonly line?: number,
    /** The offending line as written, for ksmbd-tools style messages. */
    readonly text?: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }

  /** `file:line: message`, the form editors and humans jump to. */
  get located(): string {
    if (this.file && this.line) return `${this.file}:${this.line}: ${this.message}`;
    if (this.file) return `${this.file}: ${this.message}`;
    return this.message;
  }
}

/** The command line is wrong (exit 2). */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly code = 'USAGE',
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
