export { haproxyChart } from './chart';
export { Haproxy, type HaproxyProps } from './haproxy';
export { haproxyConfig, PEERS_SECTION } from './haproxy-config';
export { type HaproxyValues, haproxyValues } from './values';
