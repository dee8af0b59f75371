/** `safe approve` / `safe deny` — wired to the script approvals once they land. */
import { UsageError } from '../core/errors.js';
import type { Ecosystem } from '../core/types.js';
import type { SafeCommandIo } from './safe-commands.js';

export async function runApprovalCommand(_ecosystem: Ecosystem, sub: 'approve' | 'deny', _args: string[], _io: SafeCommandIo): Promise<number> {
  throw new UsageError(`safe ${sub} is not available yet`);
}
