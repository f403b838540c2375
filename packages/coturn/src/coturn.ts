import {
  and,
  eq,
  gt,
  type HelmChart,
  Manifest,
  not,
  omitIfEmpty,
  onlyWhen,
  orDefault,
  PodMonitor,
  ternary,
  Workload,
} from '@meetscale/chart-toolkit';
import { Construct } from 'constructs';
import type { ConfigMap, Secret, Service } from 'kubernetes-types/core/v1';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1';

import { CONFIG_DIR, STATE_DIR, TLS_DIR, turnserverConfig } from './turnserver-config';
import type { CoturnValues } from './values';

/** Settings of the Coturn construct. */
export interface CoturnProps {
  /** The chart whose values and release names the construct reads. */
  readonly chart: HelmChart<CoturnValues>;
}

const COMPONENT = 'coturn';
/** Key of the shared secret in the generated Secret. */
export const GENERATED_SECRET_KEY = 'static-auth-secret';
/** The environment variable the container's command line reads the shared secret from. */
export const SECRET_ENV = 'TURN_STATIC_AUTH_SECRET';

/**
 * coturn as a DaemonSet, one per selected node: in the node's network namespace (`exposure.mode: hostNetwork`,
 * the dedicated TURN pool) or behind a Service (`service`). A ConfigMap with `turnserver.conf`, the shared secret
 * (generated once and kept, or an existing Secret), the TLS certificate (cert-manager or an existing Secret), and
 * the optional PodMonitor.
 *
 * A DaemonSet rather than a Deployment: each coturn owns its node's ports (relays announce the node's address),
 * so there is one per node, and growing the TURN pool grows the service with no value to change.
 */
export class Coturn extends Construct {
  public constructor(scope: Construct, id: string, props: CoturnProps) {
    super(scope, id);
    const { chart } = props;
    const v = chart.values;
    const name = String(chart.fullname);
    const labels = chart.standardLabels(COMPONENT);
    const hostNetwork = eq(v.exposure.mode, 'hostNetwork');

    const configMap = new Manifest<ConfigMap>(this, 'configmap', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, labels },
      data: { 'turnserver.conf': chart.defineText('config', turnserverConfig(chart)) },
    });

    // On upgrade, lookup finds the Secret of the first install and the secret is kept (prosody's credentials stay
    // valid); on first install (and in `helm template`) a new random one is generated.
    const generatedName = chart.componentName('auth');
    const secret = new Manifest<Secret>(this, 'secret', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: String(generatedName), labels: chart.standardLabels('auth') },
      type: 'Opaque',
      data: { [GENERATED_SECRET_KEY]: String(chart.generatedSecretValue('auth', GENERATED_SECRET_KEY)) },
    });
    chart.renderWhen(secret, not(v.auth.existingSecret));

    const certificateName = chart.componentName('tls');
    const certManager = eq(v.tls.mode, 'certManager');
    const certificate = new Manifest(this, 'certificate', {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: String(certificateName), labels },
      spec: {
        secretName: String(certificateName),
        dnsNames: [v.hostname],
        issuerRef: { group: 'cert-manager.io', kind: v.tls.issuerRef.kind, name: v.tls.issuerRef.name },
      },
    });
    chart.renderWhen(certificate, certManager);

    chart.failWhen(gt(v.relay.minPort, v.relay.maxPort), 'relay.minPort must not be above relay.maxPort');

    const service = new Manifest<Service>(this, 'service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, labels: chart.standardLabels(COMPONENT, v.service.labels), annotations: omitIfEmpty(v.service.annotations) },
      spec: {
        type: v.service.type,
        loadBalancerIP: omitIfEmpty(v.service.loadBalancerIP),
        selector: chart.selectorLabels(COMPONENT),
        ports: [
          { name: 'turn-udp', port: v.service.port, targetPort: 'turn-udp', protocol: 'UDP' },
          { name: 'turn-tcp', port: v.service.port, targetPort: 'turn-tcp', protocol: 'TCP' },
          { name: 'turns', port: v.service.tlsPort, targetPort: 'turns', protocol: 'TCP' },
        ],
      },
    });
    chart.renderWhen(service, not(hostNetwork));

    new Workload(this, 'workload', {
      chart: chart as HelmChart<unknown>,
      component: COMPONENT,
      fullname: true,
      values: v,
      // One coturn per node at most: the replaced pod must free the node's ports before the new one binds them.
      daemonSet: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } },
      checksums: { 'checksum/config': chart.checksumOf(configMap) },
      container: {
        // `turnserver` itself, not the image's entrypoint (docker/coturn/rootfs/usr/local/bin/docker-entrypoint.sh
        // at tag docker/4.17.0-r0), which passes every argument through `eval`: a secret holding `$` or a quote
        // would be mangled. Kubernetes expands $(TURN_STATIC_AUTH_SECRET) from the env entry below.
        command: ['turnserver'],
        args: ['-c', `${CONFIG_DIR}/turnserver.conf`, `--static-auth-secret=$(${SECRET_ENV})`],
        env: [
          [
            {
              name: SECRET_ENV,
              valueFrom: {
                secretKeyRef: {
                  name: String(orDefault(v.auth.existingSecret, generatedName)),
                  key: String(ternary(v.auth.existingSecret, v.auth.secretKey, GENERATED_SECRET_KEY, 'string')),
                },
              },
            },
          ],
        ],
        ports: [
          { name: 'turn-udp', containerPort: v.ports.turn, protocol: 'UDP' },
          { name: 'turn-tcp', containerPort: v.ports.turn, protocol: 'TCP' },
          { name: 'turns', containerPort: v.ports.tls, protocol: 'TCP' },
          { name: 'turns-dtls', containerPort: v.ports.tls, protocol: 'UDP' },
          { name: 'metrics', containerPort: v.ports.metrics, protocol: 'TCP' },
        ],
        volumeMounts: [
          { name: 'config', mountPath: `${CONFIG_DIR}/turnserver.conf`, subPath: 'turnserver.conf', readOnly: true },
          { name: 'tls', mountPath: TLS_DIR, readOnly: true },
          { name: 'state', mountPath: STATE_DIR },
        ],
      },
      volumes: [
        { name: 'config', configMap: { name } },
        {
          name: 'tls',
          // The Certificate's Secret, or the one named in values; `<fullname>-tls` when that name is left empty.
          secret: { secretName: String(ternary(certManager, certificateName, orDefault(v.tls.existingSecret, certificateName), 'string')) },
        },
        { name: 'state', emptyDir: { sizeLimit: '64Mi' } },
      ],
      spec: {
        hostNetwork: onlyWhen(hostNetwork, true),
        // The cluster's DNS also in the host network (a TURN node resolves Services like any pod).
        dnsPolicy: onlyWhen(hostNetwork, 'ClusterFirstWithHostNet'),
      },
    });

    const networkPolicy = new Manifest<NetworkPolicy>(this, 'networkpolicy', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name, labels },
      spec: {
        podSelector: { matchLabels: chart.selectorLabels(COMPONENT) },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          {
            ports: [
              { port: 'turn-udp', protocol: 'UDP' },
              { port: 'turn-tcp', protocol: 'TCP' },
              { port: 'turns', protocol: 'TCP' },
              { port: 'turns-dtls', protocol: 'UDP' },
            ],
          },
          // Relayed media comes back from the peers to the relay ports.
          { ports: [{ port: v.relay.minPort, endPort: v.relay.maxPort, protocol: 'UDP' }] },
          {
            from: [{ namespaceSelector: { matchLabels: v.networkPolicy.monitoringNamespaceSelector } }],
            ports: [{ port: 'metrics', protocol: 'TCP' }],
          },
        ],
        // Relays and answers to clients go to public addresses only.
        egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: v.networkPolicy.deniedEgressCidrs } }] }],
      },
    });
    chart.renderWhen(networkPolicy, and(v.networkPolicy.enabled, not(hostNetwork)));

    new PodMonitor(this, 'podmonitor', {
      chart: chart as HelmChart<unknown>,
      component: COMPONENT,
      name,
      values: v.metrics.podMonitor,
      selector: chart.selectorLabels(COMPONENT),
      port: 'metrics',
    });
  }
}
