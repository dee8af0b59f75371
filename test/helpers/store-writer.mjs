// A process that changes the per-user store (the built dist/config/store.js) many times as soon as it
// is told to: prints "ready" once the store is open, waits for a line on stdin, then makes `count`
// changes and prints "done". Used to make several real processes write at the same moment.
//   node store-writer.mjs <config dir> trust|approve|setting <prefix> <count>
import { SafeStore } from '../../dist/config/store.js';

const [dir, op, prefix, count] = process.argv.slice(2);
const store = await SafeStore.open({ cwd: dir });
process.stdout.write('ready\n');
process.stdin.once('data', () => {
  for (let i = 0; i < Number(count); i++) {
    if (op === 'trust') store.trust('npm', `${prefix}-${i}`);
    else if (op === 'approve') store.recordScriptDecision('npm', { decision: 'allow', key: `${prefix}-${i}@1.0.0`, scriptsDigest: 'x', at: new Date().toISOString() });
    else if (op === 'setting') store.setSetting(`severity.${prefix}-${i}`, 'info');
  }
  process.stdout.write('done\n');
  process.exit(0);
});
