import { add, defineChart, eq, type HelmChart, when } from '@meetscale/chart-toolkit';

import packageJson from '../package.json';
import { buildJitsiShard } from './jitsi-shard';
import { CUSTOM_METRICS, JITSI_RELEASE, type JitsiShardValues, jitsiShardValues, MEDIA_MODE_POD_SECURITY } from './values';
import { possibleBridgeCount } from './videobridges';

const README = `One complete Jitsi Meet shard per release: web, prosody, jicofo and an autoscaled pool of videobridges
(JVB), from the official jitsi images (\`ghcr.io/jitsi/*:${JITSI_RELEASE}\`, rootless). A federal state grows by
installing another release (\`shard-0\`, \`shard-1\`, ...) in the same namespace, with the \`haproxy\` chart in front.

## Architecture of a shard

\`\`\`
             HAProxy (haproxy chart) or the shard's own Ingress
                              |  HTTPS, BOSH / xmpp-websocket
                              v
  <release>-jitsi-shard-web (Service) -> web (nginx + Jitsi Meet, 2 replicas)
                              |  /http-bind, /xmpp-websocket
                              v
  <release>-jitsi-shard-prosody (XMPP) <- jicofo (focus)  <- bridges join the brewery room
                                                    \\
                                                     -> places each conference on a bridge
  clients  ==== UDP media ====>  bridges (jvb, autoscaled; NodePort or hostPort)
\`\`\`

- **web** serves the app and proxies BOSH and the XMPP websocket to prosody. Its Service,
  \`<release>-jitsi-shard-web\` on port 80, is the endpoint the haproxy chart lists for this shard.
- **prosody** is the XMPP server (one replica; it is recreated, never doubled). It creates the jicofo and bridge
  accounts from the credentials Secret at every start.
- **jicofo** finds the bridges in the brewery room (\`xmpp.breweryMuc\`) and places each conference on one.
- **bridges** all log in with one shared account and a nickname from their pod name, so bridges come and go
  without any configuration: no per-bridge component, no controller.
- Every component runs non-root (UID 1000) with a read-only root filesystem, no capabilities and the runtime's
  seccomp profile; a change of shared settings rolls every component (checksum annotations). The default
  install is admitted under Pod Security \`restricted\` ([Pod Security](#pod-security)).

## Simplest install: one shard on its own

\`\`\`sh
helm install shard-0 oci://<registry>/meetscale/jitsi-shard --version <version> \\
  --namespace jitsi --create-namespace \\
  --set domain=meet.example.org \\
  --set web.ingress.enabled=true --set web.ingress.className=nginx \\
  --set 'web.ingress.hosts[0].host=meet.example.org' \\
  --set 'web.ingress.tls[0].secretName=meet-example-org-tls' \\
  --set 'web.ingress.tls[0].hosts[0]=meet.example.org' \\
  --set 'web.ingress.annotations.cert-manager\\.io/cluster-issuer=letsencrypt'
\`\`\`

The Ingress sends everything to this shard's web Service, and cert-manager issues the certificate. Open the UDP
media ports of the bridges (\`jvb.media.nodePort.basePort\` to \`basePort + jvb.autoscaling.maxReplicas - 1\`,
30300-30309 by default) to the nodes that run bridges in the cloud firewall; \`NOTES.txt\` prints the range.

## Several shards behind HAProxy

Install each shard as its own release, with the same \`domain\` and no Ingress of its own:

\`\`\`sh
helm install shard-0 oci://<registry>/meetscale/jitsi-shard --namespace jitsi -f state-values.yaml
helm install shard-1 oci://<registry>/meetscale/jitsi-shard --namespace jitsi -f state-values.yaml \\
  --set jvb.media.nodePort.basePort=30400
\`\`\`

then list them in the haproxy chart, which holds the Ingress and keeps every room on one shard:

\`\`\`yaml
shards:
  - name: shard-0
    host: shard-0-jitsi-shard-web
  - name: shard-1
    host: shard-1-jitsi-shard-web
\`\`\`

Adding a shard is \`helm install shard-2 ...\` and appending it to \`shards\` with \`helm upgrade haproxy ...\`.
Two releases share no resource name and no selector; in the default \`nodePort\` mode give each its own port
range (\`jvb.media.nodePort.basePort\`: 30300, 30400, ...), since a NodePort belongs to one Service in the
whole cluster and the API server refuses a second shard on the same ports.

## Media: two modes

Bridges must be reachable over UDP from the internet, and the address a bridge announces must be the one that
reaches it.

| | \`nodePort\` (default) | \`hostPort\` |
| --- | --- | --- |
| workload | StatefulSet (bridge \`i\` = ordinal \`i\`) | Deployment |
| bridge port | \`basePort + i\`, its own NodePort Service | \`jvb.media.hostPort.port\` on its node, the same for every bridge |
| bridges per node | several | one (pod anti-affinity across all shards) |
| announced | the node's IP and \`basePort + i\` | the node's IP and the fixed port |
| scaling | bridges fill nodes first | each new bridge needs a node: the node-pool autoscaler adds one |
| rollout | one bridge at a time, each drained first | new bridges start first, old ones drain meanwhile |
| Pod Security | \`${MEDIA_MODE_POD_SECURITY.nodePort}\` | \`${MEDIA_MODE_POD_SECURITY.hostPort}\` (host ports) |
| choose it when | nodes are shared, or the namespace enforces \`restricted\` | media nodes are dedicated to bridges (one big node per bridge, the IONOS design) and the namespace may be \`privileged\` |

In \`nodePort\` mode the chart renders one Service per possible bridge, \`<release>-jitsi-shard-jvb-<i>\` for
\`i\` from 0 to \`jvb.autoscaling.maxReplicas - 1\` (or \`jvb.replicaCount - 1\` without the autoscaler), each with
\`externalTrafficPolicy: Local\` and \`nodePort = targetPort = basePort + i\`, so whichever bridges exist, the
port a bridge announces is forwarded to exactly that bridge. The bridge announces its node's IP
(\`jvb.media.advertise: nodeIP\`, right for IONOS nodes with public IPs), or asks STUN servers (\`stun\`) behind NAT.

Run the bridges on a dedicated media node pool with \`jvb.nodeSelector\` and \`jvb.tolerations\` (and
\`jvb.affinity\`, which in \`hostPort\` mode replaces the default one-bridge-per-node rule).

## Pod Security

Every pod of the shard runs non-root, without privilege escalation, with all capabilities dropped, the
\`RuntimeDefault\` seccomp profile and only \`configMap\` and \`emptyDir\` volumes. What decides the
[Pod Security Standards](https://kubernetes.io/docs/concepts/security/pod-security-standards/) level the
namespace must admit is the media mode:

| \`jvb.media.mode\` | level | why |
| --- | --- | --- |
| \`nodePort\` (default) | \`${MEDIA_MODE_POD_SECURITY.nodePort}\` | media reaches the bridges through NodePort Services; no pod needs anything from its node |
| \`hostPort\` | \`${MEDIA_MODE_POD_SECURITY.hostPort}\` | each bridge holds \`jvb.media.hostPort.port\` as a host port, which \`baseline\` and \`restricted\` forbid |

\`NOTES.txt\`, printed by \`helm install\` and \`helm upgrade\`, names the level the given values need. In a namespace
enforcing \`restricted\`, the API server accepts the bridge Deployment of \`hostPort\` mode but refuses its
pods: \`violates PodSecurity "restricted:latest": hostPort (container "jvb" uses hostPort 10000)\`,
and \`helm install --wait\` times out. For \`hostPort\` mode, label the namespace \`privileged\` and keep
\`restricted\` as a warning and in the audit log, so any other violation stays visible:

\`\`\`sh
kubectl create namespace jitsi
kubectl label namespace jitsi pod-security.kubernetes.io/enforce=privileged \\
  pod-security.kubernetes.io/warn=restricted pod-security.kubernetes.io/audit=restricted
\`\`\`

The default is \`nodePort\` because a default install must be admitted in a namespace enforcing \`restricted\`
(\`kubectl label namespace jitsi pod-security.kubernetes.io/enforce=restricted\`), which is what a platform team
sets for workloads it did not write itself. \`hostPort\` stays fully supported for dedicated media nodes (the
meetscale infrastructure app installs it that way, in a namespace labelled as above). Of the \`ci/\` scenarios,
those that need more than \`restricted\` say so in their second line (\`# pod-security: privileged\`).

## Autoscaling and graceful scale-down

A HorizontalPodAutoscaler (autoscaling/v2) scales the bridges between \`jvb.autoscaling.minReplicas\` and
\`maxReplicas\`, on one of three metrics (\`jvb.autoscaling.metric\`):

| metric | HPA metric | needs |
| --- | --- | --- |
| \`cpu\` | Resource \`cpu\`, average utilisation \`targetCPUUtilizationPercentage\` | metrics-server only |
| \`jvbStress\` | Pods \`${CUSTOM_METRICS.jvbStress}\` (\`customMetrics.jvbStress\`), average \`targetJvbStress\` | the bridges' PodMonitor and prometheus-adapter |
| \`networkTransmit\` | Pods \`${CUSTOM_METRICS.networkTransmit}\` (\`customMetrics.networkTransmit\`), average \`targetNetworkTransmit\` | cAdvisor metrics and prometheus-adapter |

The custom metrics API must serve these names as **Pods metrics** of the release namespace, with the series
labels \`namespace\` and \`pod\` mapped to the Namespace and Pod resources (set \`jvb.autoscaling.customMetrics\` when
your adapter names them otherwise). prometheus-adapter rules that do so:

\`\`\`yaml
rules:
  custom:
    - seriesQuery: 'jitsi_jvb_stress{namespace!="",pod!=""}'
      resources: { overrides: { namespace: { resource: namespace }, pod: { resource: pod } } }
      name: { matches: "^jitsi_jvb_stress$", as: "${CUSTOM_METRICS.jvbStress}" }
      metricsQuery: 'avg_over_time(<<.Series>>{<<.LabelMatchers>>}[1m])'
    - seriesQuery: 'container_network_transmit_bytes_total{namespace!="",pod!=""}'
      resources: { overrides: { namespace: { resource: namespace }, pod: { resource: pod } } }
      name: { matches: "^container_network_transmit_bytes_total$", as: "${CUSTOM_METRICS.networkTransmit}" }
      metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[3m])) by (<<.GroupBy>>)'
\`\`\`

\`jitsi_jvb_stress\` is the bridge's CPU usage divided by 0.9 (1.0 is a saturated bridge); the network metric is
what HPI scaled on. Scale-up and scale-down behaviour (stabilization windows, policies) come from
\`jvb.autoscaling.behavior\`: by default up by two bridges a minute, down by one bridge every five minutes after
fifteen quiet minutes.

**A bridge that is scaled down or rolled does not cut a lesson.** Its preStop hook asks it for a graceful
shutdown (\`POST /colibri/shutdown\`), so jicofo places no new conference there, then polls its participant count
(\`jitsi_jvb_local_endpoints\`) every \`jvb.gracefulShutdown.pollSeconds\` until nobody is left. Kubernetes waits
up to \`jvb.gracefulShutdown.terminationGracePeriodSeconds\` (default two hours, a double lesson plus margin)
before it stops the bridge anyway. Every component has a PodDisruptionBudget, so a node drain takes one bridge
at a time.

## Credentials and authentication

The XMPP passwords of jicofo and the bridges are generated on first install into
\`<release>-jitsi-shard-xmpp-credentials\` and read back with Helm's \`lookup\` on every upgrade, so they never change
and never appear in \`values.yaml\`. To manage them yourself, name a Secret with the keys \`jicofo-auth-password\` and
\`jvb-auth-password\` in \`credentials.existingSecret\`. (\`helm template\` cannot look anything up and prints new
random passwords each time; render against the cluster with \`--dry-run=server\`.)

Authentication is anonymous by default. For JWT tokens set \`auth.type: jwt\`, \`auth.jwt.appId\`, and
\`auth.jwt.existingSecret\` (the Secret holding the signing secret under \`auth.jwt.secretKey\`); rendering fails
with a message when the Secret is missing.

## Operations

- Probes: web \`GET /\`, prosody \`GET /http-bind\` and its XMPP port, jicofo and bridges \`GET /about/health\`.
- Metrics: bridges \`:8080/metrics\` (PodMonitor, \`metrics.podMonitor.enabled\`), jicofo \`:8888/metrics\` and prosody
  \`:5280/metrics\` (ServiceMonitor, \`metrics.serviceMonitor.enabled\`); no exporter sidecars.
- \`networkPolicy.enabled\` admits only: the ingress controller's namespace and the HAProxy pods to web; web,
  jicofo and the bridges to prosody; UDP media from anywhere to the bridges; the monitoring namespace to the
  metrics ports.
- Resources default to HPI's production figures: bridges 8 CPU / 1000Mi (limit 2000Mi, JVM heap 1500m), web
  400m/300Mi, jicofo 400m/400Mi, prosody 300m/300Mi.

## Limits

- The autoscaler decides how many bridges run, not which one goes: a scale-down may pick a busy bridge. It does
  not cut the lesson (the bridge drains first), but its capacity stays in use until its last conference ends.
- prosody and jicofo run once per shard; a shard is the unit of redundancy (HAProxy moves new rooms away from a
  shard whose web fails its checks).
- Rotating the passwords inside \`credentials.existingSecret\` in place does not restart the pods; rename the Secret
  (or restart the shard) to roll them.
- \`helm template\` cannot read the credentials of an installed release and prints new random ones; what is
  installed keeps its own (\`helm upgrade\` reads them with \`lookup\`).

## Upgrading

### From chart 0.1.0: the default media mode is now \`nodePort\`

Chart 0.1.0 defaulted to \`jvb.media.mode: hostPort\`. A release that relied on that default keeps its bridges
as they are only when it now sets the mode explicitly:

\`\`\`yaml
jvb:
  media:
    mode: hostPort
\`\`\`

and its namespace must admit \`privileged\` ([Pod Security](#pod-security)). Upgraded without it, the release
switches to \`nodePort\`: the bridge Deployment is replaced by a StatefulSet and NodePort Services on
\`jvb.media.nodePort.basePort\` and up (open them in the firewall, and give every shard its own range), during
which running conferences end; do it outside lesson time, if at all.

### Every upgrade

\`helm upgrade\` keeps the credentials, rolls web one pod at a time, recreates prosody and jicofo (a few seconds
without signalling; running conferences keep their media), and replaces bridges without cutting conferences as
described above. Switching \`jvb.media.mode\` replaces the Deployment with a StatefulSet (or back): do it outside
lesson time.
`;

/** The jitsi-shard chart. */
export const jitsiShardChart = defineChart({
  name: 'jitsi-shard',
  version: packageJson.version,
  upgrading: {
    '0.3.0': [
      'The templates were rewritten to read like hand-written Helm (labels from `_helpers.tpl`, block YAML, one pod',
      'template for both bridge workload kinds); values are unchanged and every value takes effect as before. The',
      'rendered objects change in form only, with these exceptions: `checksum/settings` is now the SHA-256 of the',
      'rendered settings ConfigMap, so the upgrade rolls every component once, and a later chart upgrade rolls them',
      "again (the ConfigMap carries the chart version label); an `extraEnv` entry named like one of the chart's own",
      'variables now replaces it instead of adding a second entry of the same name; fields left empty in values',
      '(`nodeSelector`, `tolerations`, `affinity`, `imagePullSecrets`, annotations) are left out instead of being',
      'rendered empty. The XMPP credentials are kept across the upgrade. The packaged chart no longer carries `ci/` and',
      '`values.d.ts`. The values accept a `global` key, as umbrella charts pass one.',
    ].join(' '),
  },
  appVersion: JITSI_RELEASE,
  description: 'One complete Jitsi Meet shard per release: web, prosody, jicofo and autoscaled videobridges.',
  keywords: ['jitsi', 'jitsi-meet', 'videobridge', 'webrtc', 'meetscale'],
  source: 'packages/jitsi-shard',
  values: jitsiShardValues,
  build: (chart: HelmChart<JitsiShardValues>) => buildJitsiShard(chart),
  notes: (chart) => {
    const v = chart.values;
    const hostPortMode = eq(v.jvb.media.mode, 'hostPort');
    return `Jitsi Meet shard ${chart.release.name} is installed in namespace ${chart.release.namespace}.

Shard endpoint (list it in the haproxy chart): ${chart.componentName('web')}:${v.web.service.port}
${when(v.web.ingress.enabled, `Public URL: https://${v.domain}/ (this shard's own Ingress)\n`, `Public URL: https://${v.domain}/ through HAProxy or your ingress\n`)}
Bridges: media mode ${v.jvb.media.mode}, ${when(
      v.jvb.autoscaling.enabled,
      `autoscaled between ${v.jvb.autoscaling.minReplicas} and ${v.jvb.autoscaling.maxReplicas} on ${v.jvb.autoscaling.metric}`,
      `${v.jvb.replicaCount} fixed`,
    )}.
  kubectl -n ${chart.release.namespace} get pods -l app.kubernetes.io/instance=${chart.release.name},app.kubernetes.io/component=jvb
${when(
  hostPortMode,
  `Media: UDP port ${v.jvb.media.hostPort.port} on every node that runs a bridge; open it in the cloud firewall.

Pod Security: this configuration needs level ${MEDIA_MODE_POD_SECURITY.hostPort}: the bridges use host ports, which
baseline and restricted forbid. Label the namespace (keeping restricted as warning and audit):
  kubectl label namespace ${chart.release.namespace} pod-security.kubernetes.io/enforce=${MEDIA_MODE_POD_SECURITY.hostPort} pod-security.kubernetes.io/warn=restricted pod-security.kubernetes.io/audit=restricted
`,
  `Media: UDP NodePorts ${v.jvb.media.nodePort.basePort}-${add(v.jvb.media.nodePort.basePort, possibleBridgeCount(chart), -1)} on the nodes that run bridges; open them in the cloud firewall.

Pod Security: this configuration needs level ${MEDIA_MODE_POD_SECURITY.nodePort}; every pod of the shard is admitted
in a namespace labelled pod-security.kubernetes.io/enforce=${MEDIA_MODE_POD_SECURITY.nodePort}.
`,
)}
`;
  },
  readme: README,
  podSecurity: (values) => MEDIA_MODE_POD_SECURITY[values.jvb.media.mode],
  scenarios: {
    'standalone-ingress': {
      domain: 'meet.schule.example.org',
      web: {
        ingress: {
          enabled: true,
          className: 'nginx',
          annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt' },
          hosts: [{ host: 'meet.schule.example.org' }],
          tls: [{ secretName: 'meet-schule-example-org-tls', hosts: ['meet.schule.example.org'] }],
        },
      },
    },
    'nodeport-jvb-stress': {
      jvb: {
        media: { mode: 'nodePort', nodePort: { basePort: 30400 } },
        autoscaling: { metric: 'jvbStress', minReplicas: 2, maxReplicas: 6, targetJvbStress: '700m' },
        nodeSelector: { 'meetscale.io/pool': 'media' },
        tolerations: [{ key: 'meetscale.io/media', operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
      },
      metrics: {
        podMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } },
        serviceMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } },
      },
    },
    'hostport-network-transmit': {
      // JWT prepared (the Secret exists), not yet switched on
      auth: { jwt: { appId: 'schulportal', existingSecret: 'jitsi-jwt' } },
      credentials: { existingSecret: 'jitsi-xmpp' },
      jvb: {
        media: { mode: 'hostPort', advertise: 'stun' },
        autoscaling: {
          metric: 'networkTransmit',
          targetNetworkTransmit: '2M',
          behavior: { scaleDown: { stabilizationWindowSeconds: 1200, policies: [{ type: 'Percent', value: 10, periodSeconds: 600 }] } },
        },
        gracefulShutdown: { terminationGracePeriodSeconds: 5400, pollSeconds: 15 },
      },
      networkPolicy: { enabled: true },
      commonLabels: { 'meetscale.io/state': 'bremen' },
    },
    'fixed-bridges': {
      jvb: {
        replicaCount: 3,
        autoscaling: { enabled: false },
        media: { mode: 'nodePort' },
        podDisruptionBudget: { enabled: false, maxUnavailable: 1 },
      },
      web: { replicaCount: 1, service: { type: 'NodePort' } },
    },
    'jwt-auth': {
      auth: {
        type: 'jwt',
        jwt: { existingSecret: 'jitsi-jwt', secretKey: 'signing-key', acceptedIssuers: ['schulportal'], acceptedAudiences: ['jitsi'] },
      },
    },
  },
});
