import { chartFiles } from '@meetscale/chart-toolkit/build';

import { JITSI_RELEASE, jitsiShardChart, jitsiShardValues, MEDIA_MODE_POD_SECURITY } from '../src';

describe('JitsiShard', () => {
  let files: Map<string, string>;
  beforeAll(async () => {
    files = new Map((await chartFiles(jitsiShardChart)).map((file) => [file.path, file.content]));
  });

  test('renders each component into a folder of its own, optional objects behind their switches', () => {
    const templates = [...files.keys()].filter((path) => /^templates\/[a-z-]+\//.test(path)).sort();
    expect(templates).toEqual([
      'templates/etherpad/deployment.yaml',
      'templates/etherpad/poddisruptionbudget.yaml',
      'templates/etherpad/service.yaml',
      'templates/etherpad/serviceaccount.yaml',
      'templates/jicofo/deployment.yaml',
      'templates/jicofo/poddisruptionbudget.yaml',
      'templates/jicofo/service.yaml',
      'templates/jicofo/serviceaccount.yaml',
      'templates/jvb/configmap-bridges-addresses.yaml',
      'templates/jvb/configmap-nodes-addresses.yaml',
      'templates/jvb/configmap-scripts.yaml',
      'templates/jvb/deployment.yaml',
      'templates/jvb/horizontalpodautoscaler.yaml',
      'templates/jvb/poddisruptionbudget.yaml',
      'templates/jvb/podmonitor.yaml',
      'templates/jvb/service-headless.yaml',
      'templates/jvb/service-nodeport.yaml',
      'templates/jvb/serviceaccount.yaml',
      'templates/jvb/statefulset.yaml',
      'templates/metrics/servicemonitor.yaml',
      'templates/network-policies/networkpolicy-etherpad.yaml',
      'templates/network-policies/networkpolicy-jicofo.yaml',
      'templates/network-policies/networkpolicy-jvb.yaml',
      'templates/network-policies/networkpolicy-prosody.yaml',
      'templates/network-policies/networkpolicy-web.yaml',
      'templates/network-policies/networkpolicy-whiteboard.yaml',
      'templates/prosody/deployment.yaml',
      'templates/prosody/persistentvolumeclaim.yaml',
      'templates/prosody/poddisruptionbudget.yaml',
      'templates/prosody/service.yaml',
      'templates/prosody/serviceaccount.yaml',
      'templates/settings/configmap-jicofo.yaml',
      'templates/settings/configmap-jvb.yaml',
      'templates/settings/configmap-prosody.yaml',
      'templates/settings/configmap-web.yaml',
      'templates/settings/secret.yaml',
      'templates/web/configmap.yaml',
      'templates/web/deployment.yaml',
      'templates/web/httproute.yaml',
      'templates/web/ingress.yaml',
      'templates/web/poddisruptionbudget.yaml',
      'templates/web/service.yaml',
      'templates/web/serviceaccount.yaml',
      'templates/whiteboard/configmap.yaml',
      'templates/whiteboard/deployment.yaml',
      'templates/whiteboard/poddisruptionbudget.yaml',
      'templates/whiteboard/service.yaml',
      'templates/whiteboard/serviceaccount.yaml',
    ]);
    expect(files.get('templates/jvb/horizontalpodautoscaler.yaml')).toContain('{{- if $.Values.jvb.autoscaling.enabled }}');
    expect(files.get('templates/jvb/statefulset.yaml')).toContain('{{- if (eq $.Values.jvb.media.mode "nodePort") }}');
    expect(files.get('templates/jvb/deployment.yaml')).toContain('{{- if (eq $.Values.jvb.media.mode "hostPort") }}');
    expect(files.get('templates/settings/secret.yaml')).toContain('{{- if (not $.Values.credentials.existingSecret) }}');
    expect(files.get('templates/web/serviceaccount.yaml')).toContain('{{- if $.Values.web.serviceAccount.create }}');
    expect(files.get('templates/web/httproute.yaml')).toContain('{{- if $.Values.web.httpRoute.enabled }}');
    expect(files.get('templates/etherpad/deployment.yaml')).toContain('{{- if $.Values.etherpad.enabled }}');
    expect(files.get('templates/whiteboard/service.yaml')).toContain('{{- if $.Values.whiteboard.enabled }}');
    // generated credentials are read back on upgrade (lookup), through the chart's helper
    expect(files.get('templates/settings/secret.yaml')).toContain('include "jitsi-shard.generatedSecretValue"');
    expect(files.get('templates/_helpers.tpl')).toContain('lookup "v1" "Secret" .context.Release.Namespace $name');
  });

  test('defaults to HPI production sizing and the pinned jitsi release for every component', () => {
    // GIVEN the defaults
    const defaults = jitsiShardValues.parse({});
    // THEN resources follow platform-facts.md (HPI production) and every image is the chart's appVersion
    expect(defaults.jvb.resources.requests).toEqual({ cpu: '8', memory: '1000Mi' });
    expect(defaults.web.resources.requests).toEqual({ cpu: '400m', memory: '300Mi' });
    expect(defaults.jicofo.resources.requests).toEqual({ cpu: '400m', memory: '400Mi' });
    expect(defaults.prosody.resources.requests).toEqual({ cpu: '300m', memory: '300Mi' });
    for (const component of ['web', 'prosody', 'jicofo', 'jvb'] as const) {
      expect(defaults[component].image).toEqual({
        repository: `ghcr.io/jitsi/${component}`,
        tag: JITSI_RELEASE,
        pullPolicy: 'IfNotPresent',
      });
    }
    expect(jitsiShardChart.appVersion).toBe(JITSI_RELEASE);
  });

  test('keeps the JVM heaps below the memory limits', () => {
    const defaults = jitsiShardValues.parse({});
    const mebibytes = (quantity: string | undefined): number => Number(/^(\d+)Mi$/.exec(quantity ?? '')?.[1]);
    const heap = (size: string): number => Number(size.slice(0, -1)) * (size.endsWith('g') ? 1024 : 1);
    expect(heap(defaults.jvb.maxMemory)).toBeLessThan(mebibytes(defaults.jvb.resources.limits.memory));
    expect(heap(defaults.jicofo.maxMemory)).toBeLessThan(mebibytes(defaults.jicofo.resources.limits.memory));
  });

  test('defaults to nodePort media, so a default install runs under Pod Security restricted', () => {
    // GIVEN the defaults and an explicit hostPort mode
    const defaults = jitsiShardValues.parse({});
    const hostPort = jitsiShardValues.parse({ jvb: { media: { mode: 'hostPort' } } });
    // THEN the default mode is nodePort, which needs restricted; hostPort needs privileged for its host ports
    expect(defaults.jvb.media.mode).toBe('nodePort');
    expect(jitsiShardChart.podSecurity?.(defaults)).toBe('restricted');
    expect(jitsiShardChart.podSecurity?.(hostPort)).toBe('privileged');
    expect(MEDIA_MODE_POD_SECURITY).toEqual({ nodePort: 'restricted', hostPort: 'privileged' });
  });

  test('marks exactly the hostPort ci scenarios as needing privileged, in the line after the header', () => {
    const scenarios = [...files.entries()].filter(([path]) => path.startsWith('ci/'));
    const marked = scenarios.filter(([, content]) => content.split('\n')[1] === '# pod-security: privileged').map(([path]) => path);
    expect(marked).toEqual(['ci/03-hostport-network-transmit-values.yaml']);
    expect(scenarios.filter(([, content]) => /mode: hostPort/.test(content)).map(([path]) => path)).toEqual(marked);
  });

  test('README and NOTES name the Pod Security level of each media mode', () => {
    const readme = files.get('README.md') ?? '';
    expect(readme).toContain('## Pod Security');
    expect(readme).toContain('| `nodePort` (default) | `restricted` |');
    expect(readme).toContain('| `hostPort` | `privileged` |');
    expect(readme).toContain('kubectl label namespace jitsi pod-security.kubernetes.io/enforce=privileged');
    expect(readme).toContain('### From chart 0.1.0: the default media mode is now `nodePort`');
    expect(files.get('templates/NOTES.txt')).toContain('Pod Security: this configuration needs level privileged');
    expect(files.get('templates/NOTES.txt')).toContain('Pod Security: this configuration needs level restricted');
  });

  test('refuses values the schema forbids, naming the field', () => {
    const result = jitsiShardValues.safeParse({ jvb: { media: { mode: 'loadBalancer' } } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['jvb', 'media', 'mode']);
  });
});
