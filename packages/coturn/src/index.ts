export { coturnChart } from './chart';
export { Coturn, type CoturnProps, GENERATED_SECRET_KEY, SECRET_ENV } from './coturn';
export { coturnFacts } from './facts';
export { turnserverConfig } from './turnserver-config';
export { COTURN_USER, type CoturnValues, coturnValues, DEFAULT_DENIED_PEER_IPS, EXPOSURE_POD_SECURITY } from './values';
