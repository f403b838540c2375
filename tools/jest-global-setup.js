// Jest `globalSetup` of the whole workspace (plain CommonJS): each project's setup in turn, one at a time, since
// each may build Go programs and a Go build already uses every core. Says how long the builds took, if any ran.
const setups = [
  ['Helm', require('./helm/jest-global-setup.js')],
  ['control plane', require('./cluster/jest-global-setup.js')],
  ['Trivy', require('./trivy/jest-global-setup.js')],
  ['cosign', require('./release/jest-global-setup.js')],
  ['Prometheus tools', require('./prometheus/jest-global-setup.js')],
];

module.exports = async function globalSetup(globalConfig, projectConfig) {
  for (const [name, setup] of setups) {
    const started = Date.now();
    await setup(globalConfig, projectConfig);
    const seconds = Math.round((Date.now() - started) / 1000);
    if (seconds >= 10) process.stderr.write(`jest global setup: ${name} ready after ${seconds} s\n`);
  }
};
