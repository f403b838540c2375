// Jest `globalSetup` of the whole workspace (plain CommonJS): each project's setup in turn, one at a time, since
// each may build Go programs and a Go build already uses every core.
const setups = [require('./helm/jest-global-setup.js'), require('./cluster/jest-global-setup.js'), require('./trivy/jest-global-setup.js')];

module.exports = async function globalSetup(globalConfig, projectConfig) {
  for (const setup of setups) await setup(globalConfig, projectConfig);
};
