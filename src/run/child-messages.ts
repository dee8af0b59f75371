/**
 * The messages of a forked child (Node's IPC channel), in order, one `next()` at a time; the child's
 * end ('close') is the last one.
 *
 * The channel keeps this process alive until it closes. Node's parent side does not: after a send
 * that did not fit into the socket at once (the resolve request: npm's options, under load), Node
 * unreferences the channel (lib/internal/child_process.js, Control.unrefCounted), and once the child
 * has exited nothing holds the event loop — the child's last message, still unread, was lost and the
 * run ended with exit 0 in the middle of `await next()`, nothing installed and nothing said (a CI run
 * under load: root's `npm link x --prefix <project>`, `npm unlink x`).
 */
import type { ChildProcess } from 'node:child_process';

export type ChildMessage = Record<string, unknown> & { type?: string };

export interface ChildMessages {
  /** The next message; after the child's end, `{ type: 'error', code: 'EWORKER', … }`. */
  next(): Promise<ChildMessage>;
  /** Sent if the child is still connected (a child that has just exited is reported by `next`). */
  post(message: object): void;
}

export function childMessages(child: ChildProcess, describeEnd: (end: string) => string): ChildMessages {
  // Explicitly referenced: Node's own counting no longer unreferences it after a large send.
  child.channel?.ref();
  const messages: ChildMessage[] = [];
  const waiters: Array<(m: ChildMessage) => void> = [];
  const deliver = (m: ChildMessage) => {
    const w = waiters.shift();
    if (w) w(m);
    else messages.push(m);
  };
  child.on('message', (m) => deliver(m as ChildMessage));
  // 'close', not 'exit': it comes after the IPC channel has closed, so every message the child sent
  // (its last one just before it exits) is delivered first. 'exit' can overtake it on a busy machine.
  child.on('close', (code, signal) => deliver({ type: 'error', code: 'EWORKER', message: describeEnd(signal ?? `exit ${code}`) }));
  // A send to a child that has just exited fails with EPIPE: its exit is reported above instead.
  child.on('error', () => {});
  return {
    next: () => new Promise<ChildMessage>((resolve) => {
      const m = messages.shift();
      if (m) resolve(m);
      else waiters.push(resolve);
    }),
    post(message) {
      if (child.connected) child.send(message, () => {});
    },
  };
}
