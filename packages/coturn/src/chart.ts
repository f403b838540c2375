import { join } from 'node:path';

import { defineChart, eq, type HelmChart, orDefault, readChartText, when } from '@meetscale/chart-toolkit';
import { TURN_NODE_SELECTOR, TURN_TOLERATION } from '@meetscale/placement';

import packageJson from '../package.json';
import { Coturn } from './coturn';
import { type CoturnValues, coturnValues, EXPOSURE_POD_SECURITY } from './values';

/** The coturn chart. */
export const coturnChart = defineChart({
  name: 'coturn',
  version: packageJson.version,
  upgrading: {},
  // The coturn release in the pinned image tag `coturn/coturn:4.17.0-r0` (values `image.tag`).
  appVersion: '4.17.0',
  description:
    'coturn for Jitsi Meet: STUN, TURN over UDP and TCP and TURN over TLS on 443, shared-secret credentials, relays denied to private and cluster addresses.',
  keywords: ['meetscale', 'coturn', 'turn', 'stun', 'webrtc'],
  source: 'packages/coturn',
  values: coturnValues,
  build: (chart: HelmChart<CoturnValues>) => {
    new Coturn(chart, 'coturn', { chart });
  },
  notes: (chart) => {
    const v = chart.values;
    return `coturn ${chart.fullname} in namespace ${chart.release.namespace}, realm ${orDefault(v.realm, v.hostname)}:
${when(
  eq(v.exposure.mode, 'hostNetwork'),
  `  on the host network of every selected node: turn:<node address>:${v.ports.turn} (UDP, TCP), turns:${v.hostname}:${v.ports.tls}
  relays on UDP ports ${v.relay.minPort}-${v.relay.maxPort} of each node
  the host network needs a namespace labelled pod-security.kubernetes.io/enforce=privileged
`,
  `  behind Service ${chart.fullname} (${v.service.type}): turn on port ${v.service.port} (UDP, TCP), turns on port ${v.service.tlsPort}
`,
)}${when(
      eq(v.tls.mode, 'certManager'),
      `TLS certificate: cert-manager Certificate ${chart.componentName('tls')} for ${v.hostname}.\n`,
      `TLS certificate: Secret ${orDefault(v.tls.existingSecret, chart.componentName('tls'))} (kubernetes.io/tls) for ${v.hostname}; create it before the pods can start:
  kubectl -n ${chart.release.namespace} create secret tls ${orDefault(v.tls.existingSecret, chart.componentName('tls'))} --cert=tls.crt --key=tls.key
`,
    )}Clients authenticate with time-limited credentials signed with the shared secret (use-auth-secret).
`;
  },
  readme: readChartText(join(__dirname, '..', 'docs', 'README.md')),
  scenarios: {
    'ionos-turn-pool': {
      hostname: 'turn.example.org',
      exposure: { mode: 'hostNetwork' },
      ports: { tls: 443 },
      tls: { mode: 'certManager', issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer' } },
      // Binding 443 in the host network: as root holding NET_BIND_SERVICE alone, without privilege escalation (a
      // non-root process would gain the image's file capability only with escalation allowed; see the README).
      podSecurityContext: { runAsNonRoot: false, runAsUser: 0, runAsGroup: 0 },
      containerSecurityContext: { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } },
      // The IONOS exposure: the dedicated TURN pool, TURN over TLS on 443 of each node's public address.
      nodeSelector: { ...TURN_NODE_SELECTOR },
      tolerations: [{ ...TURN_TOLERATION }],
      metrics: { podMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } } },
    },
    'existing-secrets-nat': {
      hostname: 'turn.lernen.example.org',
      realm: 'lernen.example.org',
      exposure: { externalIp: '203.0.113.20/10.0.0.20' },
      auth: { existingSecret: 'coturn-shared-secret', secretKey: 'secret' },
      tls: { existingSecret: 'turn-lernen-example-org-tls' },
      relay: { minPort: 40000, maxPort: 40999, extraDeniedPeerIps: ['203.0.113.0-203.0.113.255'] },
      service: { type: 'NodePort', annotations: { 'example.org/owner': 'video' } },
      metrics: { enabled: false },
      networkPolicy: {
        enabled: true,
        deniedEgressCidrs: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '203.0.113.0/24'],
      },
      extraConfig: ['user-quota=12', 'total-quota=1200'],
    },
  },
  podSecurity: (values) => EXPOSURE_POD_SECURITY[values.exposure.mode],
});
