// Jest `globalSetup` entry (plain CommonJS): registers tsx so the TypeScript sources can be required, then builds
// the pinned cosign once (minutes the first time) so the release tests can sign and verify synchronously.
require('tsx/cjs');
const { reportBuildsOnStderr } = require('@meetscale/go-tools');
const { ensureCosign } = require('./src/cosign.ts');

module.exports = async function globalSetup() {
  ensureCosign({ onBuild: reportBuildsOnStderr });
};
