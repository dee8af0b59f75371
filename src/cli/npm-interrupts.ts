/** The process's signal handling for an install (see run/interrupts.ts): the entry's to set up. */
import { watchInterrupts, type Interrupts } from '../run/interrupts.js';

/** Signals during an install: cleanups run, then we exit 128+n (130 for Ctrl-C). */
export function processInterrupts(tool = 'safe-npm'): Interrupts {
  return watchInterrupts({
    signals: process,
    onSignal: (signal, settled) => void process.stderr.write(`\n${tool}: interrupted (${signal}): stopping and cleaning up\n${settled ? `${tool}: ${settled}\n` : ''}`),
    say: (line) => void process.stderr.write(`${tool}: ${line}\n`),
    exit: (code) => process.exit(code),
  });
}

