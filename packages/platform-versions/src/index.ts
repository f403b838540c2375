export { KUBERNETES } from './kubernetes';
export { MONITORING_BASE } from './monitoring';
