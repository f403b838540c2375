// Jest `globalSetup` entry (plain CommonJS): registers tsx so the TypeScript sources can be required, then builds
// the pinned Trivy once (minutes the first time) so tests can call `scanConfig` synchronously.
require('tsx/cjs');
const { reportBuildsOnStderr } = require('@meetscale/go-tools');
const { ensureTrivy } = require('./src/trivy-tool.ts');

module.exports = async function globalSetup() {
  ensureTrivy({ onBuild: reportBuildsOnStderr });
};
