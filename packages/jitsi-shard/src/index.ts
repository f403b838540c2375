export { jitsiShardChart } from './chart';
export * from './facts';
export { buildJitsiShard } from './jitsi-shard';
export { GRACEFUL_SHUTDOWN_SCRIPT, PUBLIC_ADDRESSES_DIR, START_SCRIPT } from './jvb-scripts';
export {
  CASCADING_STRATEGIES,
  CUSTOM_METRICS,
  JITSI_RELEASE,
  type JitsiShardValues,
  jitsiShardValues,
  MEDIA_MODE_POD_SECURITY,
} from './values';
export { HEALTH_PATH, WEB_FILES } from './web-files';
