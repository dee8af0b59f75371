import { UsageError } from '../core/errors.js';
import type { SafeCommandIo } from './safe-commands.js';

export async function runPipApprovalCommand(sub: 'approve' | 'deny', _args: string[], _io: SafeCommandIo): Promise<number> {
  throw new UsageError(`safe-pip safe ${sub} is not available yet`);
}
