/**
 * The haproxy chart and the jitsi-shard chart meet at one name: HAProxy's server for a shard is the shard's web
 * Service. Rendered by real Helm, both charts must agree on that name and port, for the defaults and for the
 * shard list a state's values give.
 */
import { configMapEntry, HELM_MAJORS, type Manifest, renderChart } from './support/charts';
import { configSection } from './support/haproxy';

const NAMESPACE = 'jitsi';

describe.each(HELM_MAJORS)('shards behind HAProxy, rendered by Helm %i', (major) => {
  const render = (chart: string, release: string, values: unknown = {}): Manifest[] => {
    const result = renderChart(major, chart, { release, namespace: NAMESPACE, values });
    if (result.status !== 0) throw new Error(result.stderr);
    return result.manifests;
  };
  /** `host:port` of the web Service a jitsi-shard release renders (what clients of the shard reach). */
  const shardEndpoint = (release: string, values: unknown = {}): string => {
    const services = render('jitsi-shard', release, values).filter(
      (manifest: any) => manifest.kind === 'Service' && manifest.spec.selector?.['app.kubernetes.io/component'] === 'web',
    ) as any[];
    expect(services).toHaveLength(1);
    return `${services[0].metadata.name}:${services[0].spec.ports[0].port}`;
  };
  /** The `server` lines of HAProxy's shard backend, as `name host:port`. */
  const servers = (values: unknown = {}): string[] =>
    configSection(configMapEntry(render('haproxy', 'haproxy', values), 'haproxy.cfg'), 'backend shards')
      .filter((line) => line.trim().startsWith('server '))
      .map((line) => line.trim().split(/\s+/).slice(1, 3).join(' '));

  test("HAProxy's default shard is the web Service of a jitsi-shard release named shard-0", () => {
    expect(servers()).toEqual([`shard-0 ${shardEndpoint('shard-0')}`]);
  });

  test('a shard list naming the releases reaches each shard web Service, ports included', () => {
    // GIVEN two shards, one with a web Service on another port
    const endpoints = [shardEndpoint('shard-0'), shardEndpoint('shard-1', { web: { service: { port: 8080 } } })];
    expect(endpoints).toEqual(['shard-0-jitsi-shard-web:80', 'shard-1-jitsi-shard-web:8080']);
    // WHEN HAProxy lists them by release name and Service
    const shards = endpoints.map((endpoint, index) => {
      const [host, port] = endpoint.split(':');
      return { name: `shard-${index}`, host, port: Number(port) };
    });
    // THEN its servers are exactly those Services
    expect(servers({ shards })).toEqual([`shard-0 ${endpoints[0]}`, `shard-1 ${endpoints[1]}`]);
  });
});
