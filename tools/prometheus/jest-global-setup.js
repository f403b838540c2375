// Jest `globalSetup` entry (plain CommonJS): registers tsx so the TypeScript sources can be required, then builds
// the pinned promtool, Prometheus server, amtool and prometheus-adapter once (minutes the first time), so tests can
// run them at once.
require('tsx/cjs');
const { reportBuildsOnStderr } = require('@meetscale/go-tools');
const { ensurePrometheusAdapter, ensurePrometheusTools } = require('./src/prometheus-tools.ts');

module.exports = async function globalSetup() {
  ensurePrometheusTools({ onBuild: reportBuildsOnStderr });
  ensurePrometheusAdapter({ onBuild: reportBuildsOnStderr });
};
