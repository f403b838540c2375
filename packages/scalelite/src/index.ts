export { scaleliteChart } from './chart';
export { scaleliteFacts } from './facts';
export { API_PORT, NGINX_PORT, nginxConfig } from './nginx-config';
export {
  CHART_FILES_DIR,
  COMPONENTS,
  GENERATED_KEYS,
  RECORDINGS_DIR,
  RECORDINGS_LAYOUT,
  Scalelite,
  type ScaleliteProps,
} from './scalelite';
export { PUBLIC_PATHS, SCALELITE_GID, SCALELITE_RELEASE, SCALELITE_UID, type ScaleliteValues, scaleliteValues } from './values';
