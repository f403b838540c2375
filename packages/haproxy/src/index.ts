export { haproxyChart } from './chart';
export * from './facts';
export { Haproxy, type HaproxyProps } from './haproxy';
export { haproxyConfig, PEERS_SECTION } from './haproxy-config';
export { CONFIG_DIR, RUN_DIR, startScript } from './start-script';
export { type HaproxyValues, haproxyValues } from './values';
