/**
 * safe-pip entry. Fast path: parse argv and hand anything that installs nothing straight to the real
 * pip (same stdio, same exit code, nothing heavy imported). install / download / wheel and `safe …`
 * load the rest lazily.
 */
import { parsePipArgs } from '../pypi/parse-pip-args.js';
import { findRealBinary, type RealBinaryName } from '../run/find-real-binary.js';
import { runPassthrough } from '../run/passthrough.js';
import { exitWith } from './exit.js';

const env = process.env;
const argv = process.argv.slice(2);
const truthy = (v: string | undefined): boolean => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());

/** The pip name the shim was called as (pip, pip3, pip3.11), else `pip`. */
function realPip(): string {
  const invoked = env.SAFE_PIP_INVOKED_AS ?? '';
  const name = (/^pip(\d+(\.\d+)?)?$/.test(invoked) ? invoked : 'pip') as RealBinaryName;
  return findRealBinary(name, { path: env.PATH, skipDirs: [env.SAFE_PIP_SHIM_DIR] });
}

/** `python -m pip …` routed by shims/python: that interpreter's pip, run as `python -m pip`. */
const viaPython = env.SAFE_PIP_PYTHON || undefined;

async function passthrough(pipArgs: string[]): Promise<number> {
  const [bin, args] = viaPython ? [viaPython, ['-m', 'pip', ...pipArgs]] : [realPip(), pipArgs];
  // Root checks whose pip it is first (another user's venv runs as them): its own module, loaded only then.
  if (process.geteuid?.() !== 0) return runPassthrough(bin, args, { signals: process });
  const { runPipPassthrough } = await import('./pip-passthrough.js');
  return runPipPassthrough(bin, args, env);
}

async function main(): Promise<number> {
  if (truthy(env.SAFE_PIP_BYPASS)) {
    process.stderr.write('safe-pip: SAFE_PIP_BYPASS=1 — running pip unchecked\n');
    const end = argv.indexOf('--');
    return passthrough(argv.filter((a, i) => !(a.startsWith('--safe-') && (end === -1 || i < end))));
  }
  const invocation = parsePipArgs(argv, { env });
  if (invocation.kind === 'passthrough') return passthrough(invocation.pipArgs);

  if (invocation.kind === 'safe') {
    const { runSafeCommand } = await import('./safe-commands.js');
    return runSafeCommand('pypi', invocation.safeArgs ?? [], {
      env,
      cwd: process.cwd(),
      stdout: (t) => void process.stdout.write(t),
      stderr: (t) => void process.stderr.write(t),
      stdoutIsTTY: Boolean(process.stdout.isTTY),
      realTool: () => viaPython ?? realPip(),
    });
  }

  const { runPipInstallFlow } = await import('./pip-install-flow.js');
  return runPipInstallFlow(invocation, argv, {
    env,
    cwd: process.cwd(),
    stdinIsTTY: Boolean(process.stdin.isTTY),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    ...(viaPython ? { python: viaPython, realPip: viaPython } : { realPip: realPip() }),
  });
}

exitWith('safe-pip', main(), truthy(env.SAFE_PIP_DEBUG));
