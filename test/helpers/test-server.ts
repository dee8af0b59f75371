/** What the misbehaving test servers share: a log of request paths tests can wait on, and a close that drops stalled connections. */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Faults both test servers play: a status (429 with Retry-After: 1), no answer at all, half a body then a reset, garbage JSON, a 302 to a host nothing listens on. */
export type HttpFault = 'http-404' | 'http-500' | 'http-429' | 'stall' | 'reset-mid-body' | 'malformed-json' | 'redirect';

export interface RequestLog {
  requests: string[];
  record(path: string): void;
  /** Resolves with the first request path containing `part` (already seen or still to come). */
  waitFor(part: string): Promise<string>;
}

export function requestLog(): RequestLog {
  const requests: string[] = [];
  const waiters: Array<{ part: string; resolve(path: string): void }> = [];
  return {
    requests,
    record(path) {
      requests.push(path);
      for (const w of waiters.filter((x) => path.includes(x.part))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(path);
      }
    },
    waitFor(part) {
      const seen = requests.find((p) => p.includes(part));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ part, resolve }));
    },
  };
}

/** Listen on 127.0.0.1 (a free port); returns `http://127.0.0.1:PORT` and a close that destroys open (stalled) connections first. */
export async function listenOnLoopback(server: Server): Promise<{ origin: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
