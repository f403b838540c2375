export { formatManifestIssue, type ManifestCheck, type ManifestIssue } from './manifest-issue';
export { validateManifest, validateManifests } from './validate-manifest';
