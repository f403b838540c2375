// Jest `globalSetup` entry (plain CommonJS): registers tsx so the TypeScript setup can be required, then makes
// sure every pinned Helm binary is there (built or downloaded). Usage in a jest config: `globalSetup: '<rootDir>/tools/helm/jest-global-setup.js'`.
require('tsx/cjs');
const { globalSetup } = require('./src/jest-global-setup.ts');

module.exports = globalSetup;
