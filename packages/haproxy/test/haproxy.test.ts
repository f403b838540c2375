import { chartFiles } from '@meetscale/chart-toolkit/build';
import YAML from 'yaml';

import { haproxyChart, haproxyValues } from '../src';

describe('Haproxy', () => {
  let files: Map<string, string>;
  beforeAll(async () => {
    files = new Map((await chartFiles(haproxyChart)).map((file) => [file.path, file.content]));
  });
  const file = (path: string): string => files.get(path) ?? '';

  test('renders one template per object, optional ones behind their switches', () => {
    const templates = [...files.keys()].filter((path) => path.startsWith('templates/haproxy/')).sort();
    expect(templates).toEqual([
      'templates/haproxy/configmap.yaml',
      'templates/haproxy/httproute.yaml',
      'templates/haproxy/ingress.yaml',
      'templates/haproxy/networkpolicy.yaml',
      'templates/haproxy/poddisruptionbudget.yaml',
      'templates/haproxy/service-metrics.yaml',
      'templates/haproxy/service-peers.yaml',
      'templates/haproxy/service-service.yaml',
      'templates/haproxy/serviceaccount.yaml',
      'templates/haproxy/servicemonitor.yaml',
      'templates/haproxy/statefulset.yaml',
    ]);
    expect(file('templates/haproxy/ingress.yaml')).toContain('{{- if $.Values.ingress.enabled }}');
    expect(file('templates/haproxy/httproute.yaml')).toContain('{{- if $.Values.httpRoute.enabled }}');
    // the route sends requests to the Service port by number, as an HTTPRoute backendRef must
    expect(file('templates/haproxy/httproute.yaml')).toContain('port: {{ $.Values.service.port }}');
    expect(file('templates/haproxy/servicemonitor.yaml')).toContain('{{- if $.Values.metrics.serviceMonitor.enabled }}');
    expect(file('templates/haproxy/poddisruptionbudget.yaml')).toContain('{{- if $.Values.podDisruptionBudget.enabled }}');
    expect(file('templates/haproxy/networkpolicy.yaml')).toContain('{{- if $.Values.networkPolicy.enabled }}');
  });

  test('starts all replicas at once, names the local peer after the pod, and rolls pods on config change', () => {
    const statefulSet = file('templates/haproxy/statefulset.yaml');
    expect(statefulSet).toContain('podManagementPolicy: Parallel');
    expect(statefulSet).toContain('serviceName: {{ include "haproxy.componentName" (dict "component" "peers" "context" $) }}');
    expect(statefulSet).toMatch(/command:\n\s+- \/bin\/sh\n\s+- \/usr\/local\/etc\/haproxy\/start\.sh/);
    expect(file('templates/_start-script.tpl')).toContain('exec haproxy -W -db -f "$run_cfg" -L "$POD_NAME"');
    // the checksum hashes the rendered ConfigMap, which holds haproxy.cfg and start.sh
    expect(statefulSet).toContain(
      'checksum/config: {{ include (print $.Template.BasePath "/haproxy/configmap.yaml") $ | sha256sum | quote }}',
    );
    expect(file('templates/haproxy/configmap.yaml')).toMatch(/haproxy\.cfg: \|\n\s+\{\{- include "haproxy\.config" \$ \| nindent 4 \}\}/);
    expect(file('templates/haproxy/configmap.yaml')).toMatch(
      /start\.sh: \|\n\s+\{\{- include "haproxy\.start-script" \$ \| nindent 4 \}\}/,
    );
  });

  test('publishes peer addresses before the replicas are ready', () => {
    expect(file('templates/haproxy/service-peers.yaml')).toMatch(/clusterIP: None[\s\S]*publishNotReadyAddresses: true/);
  });

  test('lists one peer per replica and one server per shard in haproxy.cfg', () => {
    const config = file('templates/_config.tpl');
    expect(config).toContain(
      '{{- range $index1 := until (int $.Values.replicaCount) }}\n  peer {{ include "haproxy.fullname" $ }}-{{ $index1 | int64 }} ',
    );
    expect(config).toContain(
      '{{- range $index1, $item1 := $.Values.shards }}\n  server {{ $item1.name }} {{ $item1.host }}:{{ dig "port" 80 $item1 | int64 }}\n{{- end }}',
    );
    expect(config).toContain('stick on urlp(room),lower if has_room');
    expect(config).toMatchSnapshot();
  });

  test('defaults point at the first shard of the jitsi-shard chart', () => {
    const defaults = YAML.parse(file('values.yaml')) as { shards: unknown };
    expect(defaults.shards).toEqual([{ name: 'shard-0', host: 'shard-0-jitsi-shard-web', port: 80 }]);
  });

  test('the schema refuses a privileged container port and a shard without host', () => {
    expect(haproxyValues.safeParse({ containerPorts: { http: 80 } }).success).toBe(false);
    expect(haproxyValues.safeParse({ shards: [{ name: 'a' }] }).success).toBe(false);
    expect(haproxyValues.safeParse({ shards: [{ name: 'a', host: '10.1.2.3' }] }).success).toBe(true);
  });
});
