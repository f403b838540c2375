import {
  and,
  concatLists,
  eq,
  type HelmChart,
  type HelmValue,
  listWhen,
  Manifest,
  type Templated,
  ternary,
} from '@meetscale/chart-toolkit';
import { Construct } from 'constructs';
import type { NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort } from 'kubernetes-types/networking/v1';

import { ETHERPAD_PORT } from './etherpad';
import { PORTS } from './shard-settings';
import type { JitsiShardValues } from './values';
import { JVB_COMPONENT, lastBridgePort } from './videobridges';
import { WHITEBOARD_METRICS_PORT, WHITEBOARD_PORT } from './whiteboard';

/** Settings of the ShardNetworkPolicies construct. */
export interface ShardNetworkPoliciesProps {
  /** The chart whose values and release names the construct reads. */
  readonly chart: HelmChart<JitsiShardValues>;
}

/**
 * One NetworkPolicy per component, admitting only the flows a shard needs (`networkPolicy.enabled`):
 * the ingress controller and HAProxy to web; web, jicofo and the bridges to prosody; web to jicofo's health
 * check; UDP media to the bridges from outside the cluster's networks, and from the shard's other bridges when
 * cascading is on; Prometheus in the monitoring namespace to the metrics ports. Outgoing traffic stays open (the
 * bridges answer clients anywhere).
 */
export class ShardNetworkPolicies extends Construct {
  public constructor(scope: Construct, id: string, props: ShardNetworkPoliciesProps) {
    super(scope, id);
    const { chart } = props;
    const n = chart.values.networkPolicy;
    const jvb = chart.values.jvb;
    const tcp = (port: number): NetworkPolicyPort => ({ port, protocol: 'TCP' });
    const monitoring = { namespaceSelector: { matchLabels: n.monitoringNamespaceSelector } };
    const policy = (component: string, rules: Templated<NetworkPolicyIngressRule[]>, enabled?: HelmValue<unknown>): void => {
      const created = new Manifest<NetworkPolicy>(this, component, {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: String(chart.componentName(component)), labels: chart.standardLabels(component) },
        spec: { podSelector: { matchLabels: chart.selectorLabels(component) }, policyTypes: ['Ingress'], ingress: rules },
      });
      chart.renderWhen(created, enabled === undefined ? n.enabled : and(n.enabled, enabled));
    };

    policy('web', [
      {
        from: [{ namespaceSelector: { matchLabels: n.ingressNamespaceSelector } }, { podSelector: { matchLabels: n.haproxyPodSelector } }],
        ports: [tcp(PORTS.webHttp)],
      },
    ]);

    const shardPods = (components: string[]): NetworkPolicyPeer => ({
      podSelector: {
        matchLabels: { 'app.kubernetes.io/name': String(chart.include('name')), 'app.kubernetes.io/instance': String(chart.release.name) },
        matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: components }],
      },
    });
    policy('prosody', [
      { from: [shardPods(['jicofo', JVB_COMPONENT])], ports: [tcp(PORTS.xmppClient)] },
      { from: [shardPods(['web'])], ports: [tcp(PORTS.prosodyHttp)] },
      { from: [monitoring], ports: [tcp(PORTS.prosodyHttp)] },
    ]);

    // Etherpad and the whiteboard: only web, which proxies them (`/etherpad/`, `/socket.io/`).
    policy('etherpad', [{ from: [shardPods(['web'])], ports: [tcp(ETHERPAD_PORT)] }], chart.values.etherpad.enabled);
    policy(
      'whiteboard',
      [
        { from: [shardPods(['web'])], ports: [tcp(WHITEBOARD_PORT)] },
        { from: [monitoring], ports: [tcp(WHITEBOARD_METRICS_PORT)] },
      ],
      chart.values.whiteboard.enabled,
    );

    // web's nginx asks jicofo's /about/health on behalf of HAProxy (the shard health path).
    policy('jicofo', [
      { from: [shardPods(['web'])], ports: [tcp(PORTS.jicofoHttp)] },
      { from: [monitoring], ports: [tcp(PORTS.jicofoHttp)] },
    ]);

    // Media: hostPort mode uses one port; nodePort mode the range of every possible bridge. Clients reach the
    // bridges from public addresses (NodePorts and host ports keep the client's address); from inside the cluster
    // only the shard's other bridges send media, and only when cascading relays them.
    const nodePortMode = eq(jvb.media.mode, 'nodePort');
    const media: Templated<NetworkPolicyPort>[] = [
      {
        port: ternary(nodePortMode, jvb.media.nodePort.basePort, jvb.media.hostPort.port, 'integer'),
        endPort: ternary(nodePortMode, lastBridgePort(chart), jvb.media.hostPort.port, 'integer'),
        protocol: 'UDP',
      },
    ];
    policy(
      JVB_COMPONENT,
      concatLists(
        [
          { from: [{ ipBlock: { cidr: '0.0.0.0/0', except: n.clusterNetworks } }, { ipBlock: { cidr: '::/0' } }], ports: media },
          { from: [monitoring], ports: [tcp(PORTS.jvbHttp)] },
        ],
        listWhen(jvb.cascading.enabled, [{ from: [shardPods([JVB_COMPONENT])], ports: media }]),
      ),
    );
  }
}
