export { inClusterAccess, type KubeAccess, LeaseElector, type LeaseOptions, SERVICE_ACCOUNT_DIR } from './lease';
