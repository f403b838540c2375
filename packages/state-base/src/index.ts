export { stateBaseChart } from './chart';
export * from './facts';
export { ClusterIssuer, HTTP_LISTENER, Namespaces, NodeTaint, type StateBaseProps, StateGateway } from './state-base';
export { NODE_TAINT_USER, type StateBaseValues, stateBaseValues } from './values';
