import type { Check } from '../core/types.js';
import { onlyWhileRecent } from './release-compare.js';
import { couldNotVerify } from './could-not-verify.js';
import { deprecated } from './deprecated.js';
import { dormantRelease } from './dormant-release.js';
import { fewVersions } from './few-versions.js';
import { installScripts } from './install-scripts.js';
import { installScriptContent } from './install-script-content.js';
import { knownMalicious } from './known-malicious.js';
import { installScriptsChanged } from './install-scripts-changed.js';
import { missingMetadata } from './missing-metadata.js';
import { newDependencies } from './new-dependencies.js';
import { newPackage } from './new-package.js';
import { newPublisher } from './new-publisher.js';
import { newVersion } from './new-version.js';
import { nonRegistrySource } from './non-registry-source.js';
import { provenanceDropped } from './provenance-dropped.js';
import { notFound } from './not-found.js';
import { sizeJump } from './size-jump.js';
import { typosquat } from './typosquat.js';
import { unknownFields } from './unknown-fields.js';

/** Every check, in report order. Explicit on purpose: no directory scanning. */
export const allChecks: readonly Check[] = [
  knownMalicious,
  typosquat,
  notFound,
  couldNotVerify,
  nonRegistrySource,
  newPackage,
  newVersion,
  fewVersions,
  deprecated,
  installScripts,
  installScriptContent,
  onlyWhileRecent(installScriptsChanged),
  onlyWhileRecent(newDependencies),
  onlyWhileRecent(newPublisher),
  onlyWhileRecent(provenanceDropped),
  onlyWhileRecent(sizeJump),
  onlyWhileRecent(dormantRelease),
  missingMetadata,
  unknownFields,
];
