import type { Check } from '../core/types.js';
import { couldNotVerify } from './could-not-verify.js';
import { deprecated } from './deprecated.js';
import { fewVersions } from './few-versions.js';
import { installScripts } from './install-scripts.js';
import { missingMetadata } from './missing-metadata.js';
import { newPackage } from './new-package.js';
import { newVersion } from './new-version.js';
import { nonRegistrySource } from './non-registry-source.js';
import { notFound } from './not-found.js';
import { typosquat } from './typosquat.js';
import { unknownFields } from './unknown-fields.js';

/** Every check, in report order. Explicit on purpose: no directory scanning. */
export const allChecks: readonly Check[] = [
  typosquat,
  notFound,
  couldNotVerify,
  nonRegistrySource,
  newPackage,
  newVersion,
  fewVersions,
  deprecated,
  installScripts,
  missingMetadata,
  unknownFields,
];
