// Jest `globalSetup` entry (plain CommonJS): registers tsx so the TypeScript sources can be required, then builds
// the control plane's programs (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok) once, so
// that tests starting a control plane do not spend their own time budget on a first build.
require('tsx/cjs');
const { reportBuildsOnStderr } = require('@meetscale/go-tools');
const { ensureControlPlaneBinaries } = require('./src/control-plane-tools.ts');

module.exports = async function globalSetup() {
  ensureControlPlaneBinaries({ onBuild: reportBuildsOnStderr });
};
