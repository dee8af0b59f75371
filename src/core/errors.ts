import { ExitCode } from './exit-codes.js';

/** An error we expect and explain in one line; the entry point prints `message` and exits with `exitCode`. */
export class SafeError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
    this.name = new.target.name;
  }
}

export class UsageError extends SafeError {
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

/** The user declined at a prompt or pressed Ctrl-C. */
export class Cancelled extends SafeError {
  constructor(message = 'cancelled') {
    super(message, ExitCode.interrupted);
  }
}

export class Blocked extends SafeError {
  constructor(message: string, exitCode: number = ExitCode.blocked) {
    super(message, exitCode);
  }
}

export class ConfigError extends SafeError {
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}
