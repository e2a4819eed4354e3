export { BureauCode, BureauLevel, LEGACY_BUREAU_CODE, bureauLevel, bureauLevels, defaultParent, derivedPath, isPathWithin, levelRank, provinceOf } from './codes.js';
export { BureauDirectory } from './directory.js';
export type { BureauEntry, BureauRegistryState, BureauView } from './directory.js';
export { BUREAU_REGISTRY_STREAM, bureauCommandRoles, bureauCommandSchemas, bureauEventSchemas, bureauRegistryDecider, bureauRegistryStream } from './registry.js';
export type { BureauCommand, BureauEvent } from './registry.js';
