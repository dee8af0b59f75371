import type { Check } from '../core/types.js';
import { formatBytes, releasePair } from './release-compare.js';

/**
 * The published package grew sharply since the version compared with: injected payloads (the 2025
 * npm worm's bundle, obfuscated droppers) often make a small package much larger. Both a factor and
 * an absolute amount must be exceeded (thresholds.sizeJump*) so tiny packages do not trip it.
 */
export const sizeJump: Check = {
  id: 'size-jump',
  title: 'package size jumped since the previous version',
  needsNetwork: true,
  run(facts, ctx) {
    const pair = releasePair(facts);
    if (!pair) return [];
    const { sizeJumpFactor: factor, sizeJumpMinBytes: minBytes, sizeJumpMinFiles: minFiles } = ctx.thresholds;
    const { release, previous } = pair;
    const parts: string[] = [];
    if (release.unpackedSize !== undefined && previous.unpackedSize !== undefined
      && release.unpackedSize > previous.unpackedSize * factor && release.unpackedSize - previous.unpackedSize > minBytes) {
      parts.push(`unpacked size ${formatBytes(previous.unpackedSize)} → ${formatBytes(release.unpackedSize)}`);
    }
    if (release.fileCount !== undefined && previous.fileCount !== undefined
      && release.fileCount > previous.fileCount * factor && release.fileCount - previous.fileCount > minFiles) {
      parts.push(`files ${previous.fileCount} → ${release.fileCount}`);
    }
    // Only when the registry gives no unpacked size (PyPI): the download size, same factor and bytes.
    if (release.unpackedSize === undefined && previous.unpackedSize === undefined && release.archiveSize !== undefined && previous.archiveSize !== undefined
      && release.archiveSize > previous.archiveSize * factor && release.archiveSize - previous.archiveSize > minBytes) {
      parts.push(`download size ${formatBytes(previous.archiveSize)} → ${formatBytes(release.archiveSize)}`);
    }
    if (parts.length === 0) return [];
    return [{
      check: 'size-jump',
      severity: 'warn',
      message: `${pair.label} is much larger than ${pair.previousLabel}: ${parts.join(', ')}`,
    }];
  },
};
