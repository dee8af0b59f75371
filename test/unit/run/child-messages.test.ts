/**
 * The forked child's channel keeps the parent alive while it waits for a message, whatever was sent
 * before. Node's parent side unreferences the channel once a send that did not fit into the socket at
 * once has completed; a parent with nothing else to wait on then ended with exit 0 as soon as the child
 * had exited, its last message unread (a CI run under load: root's link/unlink said nothing, did nothing).
 * Proven in a process of its own (the test runner's own handles would hide it), by what Node counts as
 * keeping the event loop alive.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const tmp = mkdtempSync(join(tmpdir(), 'safe-npm-child-messages-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const distModule = fileURLToPath(new URL('../../../dist/run/child-messages.js', import.meta.url));

it('a parent waiting for its child\'s next message is kept alive by the channel after a large send (Node had let go of it)', () => {
  const child = join(tmp, 'child.mjs');
  writeFileSync(child, "process.on('message', (m) => { if (m.type === 'big') process.send({ type: 'got', bytes: m.pad.length }); else process.exit(0); });\n");
  const parent = join(tmp, 'parent.mjs');
  writeFileSync(parent, `
import { fork } from 'node:child_process';
import { childMessages } from ${JSON.stringify(distModule)};
const channels = () => process.getActiveResourcesInfo().filter((r) => r === 'PipeWrap').length;
const child = fork(${JSON.stringify(child)}, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
const messages = childMessages(child, (end) => 'ended ' + end);
const before = channels();
// Far more than a socket takes at once: the send completes later, asynchronously.
messages.post({ type: 'big', pad: 'y'.repeat(8_000_000) });
const got = await messages.next();
const waiting = messages.next();
const during = channels();
messages.post({ type: 'stop' });
const end = await waiting;
process.stdout.write(JSON.stringify({ got, before, during, end: end.message }));
`);
  const run = spawnSync(process.execPath, [parent], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  const seen = JSON.parse(run.stdout) as { got: { bytes: number }; before: number; during: number; end: string };
  expect(seen.got.bytes).toBe(8_000_000);
  // The channel still counts while the next message is awaited (it was dropped: one fewer).
  expect(seen.during).toBe(seen.before);
  expect(seen.end).toBe('ended exit 0');
});
