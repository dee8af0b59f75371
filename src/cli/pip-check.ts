import { UsageError } from '../core/errors.js';
import type { PackageReport } from '../core/types.js';
import type { SafeCommandIo } from './safe-commands.js';

export async function checkPypiForReport(_specs: string[], _options: { offline: boolean; io: SafeCommandIo }): Promise<PackageReport[]> {
  throw new UsageError('safe-pip safe check is not available yet');
}
