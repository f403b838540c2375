export {
  ControlPlane,
  type ControlPlaneListener,
  type ControlPlaneOptions,
  type ControlPlaneState,
  type HorizontalPodAutoscalerTiming,
  POD_CIDR,
  SERVICE_CIDR,
  stopRecordedControlPlane,
} from './control-plane';
export {
  CONTROL_PLANE_MODULE,
  type ControlPlaneBinaries,
  type ControlPlaneRole,
  controlPlaneTools,
  ensureControlPlaneBinaries,
  kubernetesVersion,
  missingControlPlaneBinaries,
  pinnedModuleVersion,
} from './control-plane-tools';
export { FRONT_PROXY_CLIENT, type FrontProxyCredentials, newCertificate } from './front-proxy';
export { KubeApiError, KubeClient, type KubeClientOptions, type KubeJson, type KubeResponse, waitFor } from './kube-client';
export { kubeconfig } from './kubeconfig';
export { KWOK_NODE_ANNOTATION, kwokNodes, type NodePoolShape, type NodeTaint } from './kwok-nodes';
export { freeLoopbackPort } from './loopback-port';
export {
  CRD_MODULE,
  crdsOfManifest,
  installUpstreamCrds,
  UPSTREAM_CRD_SOURCES,
  type UpstreamCrd,
  upstreamCrds,
  type UpstreamCrdSource,
  upstreamModuleDir,
} from './upstream-crds';
