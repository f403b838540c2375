import { eq, type HelmChart, ternary } from '@meetscale/chart-toolkit';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';

import { PORTS } from './shard-settings';
import type { JitsiShardValues } from './values';
import { JVB_COMPONENT, lastBridgePort } from './videobridges';

/** Settings of the ShardNetworkPolicies construct. */
export interface ShardNetworkPoliciesProps {
  /** The chart whose values and release names the construct reads. */
  readonly chart: HelmChart<JitsiShardValues>;
}

/**
 * One NetworkPolicy per component, admitting only the flows a shard needs (`networkPolicy.enabled`):
 * the ingress controller and HAProxy to web; web, jicofo and the bridges to prosody; UDP media from anywhere
 * to the bridges; Prometheus in the monitoring namespace to the metrics ports. Outgoing traffic stays open
 * (the bridges answer clients anywhere).
 */
export class ShardNetworkPolicies extends Construct {
  public constructor(scope: Construct, id: string, props: ShardNetworkPoliciesProps) {
    super(scope, id);
    const { chart } = props;
    const n = chart.values.networkPolicy;
    const jvb = chart.values.jvb;
    const tcp = (port: number): k8s.NetworkPolicyPort => ({ port: k8s.IntOrString.fromNumber(port), protocol: 'TCP' });
    const monitoring: k8s.NetworkPolicyPeer = { namespaceSelector: {} };
    const policy = (component: string, rules: k8s.NetworkPolicyIngressRule[]): k8s.KubeNetworkPolicy => {
      const created = new k8s.KubeNetworkPolicy(this, component, {
        metadata: { name: String(chart.componentName(component)), labels: chart.standardLabels(component) },
        spec: { podSelector: { matchLabels: chart.selectorLabels(component) }, policyTypes: ['Ingress'], ingress: rules },
      });
      chart.renderWhen(created, n.enabled);
      return created;
    };

    const web = policy('web', [{ from: [{ namespaceSelector: {} }, { podSelector: {} }], ports: [tcp(PORTS.webHttp)] }]);
    chart.setField(web, '/spec/ingress/0/from/0/namespaceSelector/matchLabels', n.ingressNamespaceSelector);
    chart.setField(web, '/spec/ingress/0/from/1/podSelector/matchLabels', n.haproxyPodSelector);

    const shardPods = (components: string[]): k8s.NetworkPolicyPeer => ({
      podSelector: {
        matchLabels: { 'app.kubernetes.io/name': String(chart.include('name')), 'app.kubernetes.io/instance': String(chart.release.name) },
        matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: components }],
      },
    });
    const prosody = policy('prosody', [
      { from: [shardPods(['jicofo', JVB_COMPONENT])], ports: [tcp(PORTS.xmppClient)] },
      { from: [shardPods(['web'])], ports: [tcp(PORTS.prosodyHttp)] },
      { from: [monitoring], ports: [tcp(PORTS.prosodyHttp)] },
    ]);
    chart.setField(prosody, '/spec/ingress/2/from/0/namespaceSelector/matchLabels', n.monitoringNamespaceSelector);

    const jicofo = policy('jicofo', [{ from: [monitoring], ports: [tcp(PORTS.jicofoHttp)] }]);
    chart.setField(jicofo, '/spec/ingress/0/from/0/namespaceSelector/matchLabels', n.monitoringNamespaceSelector);

    // Media from anywhere: hostPort mode uses one port; nodePort mode the range of every possible bridge.
    const bridges = policy(JVB_COMPONENT, [
      { ports: [{ port: k8s.IntOrString.fromNumber(10000), protocol: 'UDP' }] },
      { from: [monitoring], ports: [tcp(PORTS.jvbHttp)] },
    ]);
    const nodePortMode = eq(jvb.media.mode, 'nodePort');
    chart.setField(
      bridges,
      '/spec/ingress/0/ports/0/port',
      ternary(nodePortMode, jvb.media.nodePort.basePort, jvb.media.hostPort.port, 'integer'),
    );
    chart.setField(
      bridges,
      '/spec/ingress/0/ports/0/endPort',
      // (max ...): with no bridge at all the range would end before it starts
      ternary(nodePortMode, lastBridgePort(chart), jvb.media.hostPort.port, 'integer'),
    );
    chart.setField(bridges, '/spec/ingress/1/from/0/namespaceSelector/matchLabels', n.monitoringNamespaceSelector);
  }
}
