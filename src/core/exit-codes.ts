/**
 * Exit codes shared by safe-npm and safe-pip. When the real tool ran, its own code is passed
 * through verbatim; these are our own outcomes, chosen outside the ranges npm (1, 256 - errno)
 * and pip (1-4, 23) use.
 */
export const ExitCode = {
  ok: 0,
  usage: 64,
  blocked: 65,
  needsConfirmation: 66,
  scriptsWithheld: 67,
  couldNotVerify: 68,
  internal: 70,
  /** Another safe-npm held the project's lock for longer than we would wait (EX_TEMPFAIL). */
  busy: 75,
  /** The real npm/npx/pip could not be found on PATH (the shell's "command not found"). */
  toolNotFound: 127,
  /** The real tool was found but could not be executed (the shell's 126). */
  toolNotExecutable: 126,
  interrupted: 130,
} as const;

export type OwnExitCode = (typeof ExitCode)[keyof typeof ExitCode];
