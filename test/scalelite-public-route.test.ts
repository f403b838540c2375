/**
 * The scalelite chart's public entry carries the BigBlueButton API and playback and never the admin API
 * (`/scalelite/api`, whose checksum does not cover the request body): checked on the Ingress and the HTTPRoute Helm
 * renders, and on the nginx configuration behind them. The admin API has a cluster-internal Service of its own.
 */
import { configMapEntry, type Manifest, renderChart } from './support/charts';

const ADMIN_PATH = '/scalelite/api/addServer';

/** Whether a path rule of a route sends `path` to its backend (Prefix/PathPrefix by path elements, Exact as is). */
function routes(type: string, value: string, path: string): boolean {
  if (type === 'Exact') return path === value;
  const prefix = value.endsWith('/') ? value.slice(0, -1) : value;
  return prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
}

function rendered(values: object): Manifest[] {
  const result = renderChart(4, 'scalelite', { values });
  expect(result.stderr).toBe('');
  return result.manifests;
}

const ROUTED = {
  urlHost: 'bbb.example.org',
  ingress: { enabled: true, hosts: [{ host: 'bbb.example.org' }] },
  httpRoute: { enabled: true, parentRefs: [{ name: 'meetscale', namespace: 'gateway' }], hostnames: ['bbb.example.org'] },
};

test('the Ingress and the HTTPRoute route the BigBlueButton API and playback, not the admin API', () => {
  const manifests = rendered(ROUTED);
  const ingress = manifests.find((manifest) => manifest.kind === 'Ingress') as any;
  const route = manifests.find((manifest) => manifest.kind === 'HTTPRoute') as any;
  const ingressPaths: Array<{ type: string; value: string }> = ingress.spec.rules.flatMap((rule: any) =>
    rule.http.paths.map((path: any) => ({ type: path.pathType === 'Exact' ? 'Exact' : 'Prefix', value: path.path })),
  );
  const routePaths: Array<{ type: string; value: string }> = route.spec.rules.flatMap((rule: any) =>
    rule.matches.map((match: any) => ({ type: match.path.type, value: match.path.value })),
  );
  for (const paths of [ingressPaths, routePaths]) {
    const reaches = (path: string): boolean => paths.some((rule) => routes(rule.type, rule.value, path));
    // the API and recordings reach nginx
    expect(
      [
        '/bigbluebutton/api/create',
        '/playback/presentation/2.3/abc',
        '/recording/abc-123/presentation',
        '/presentation/abc-123/slides.svg',
      ].filter((path) => !reaches(path)),
    ).toEqual([]);
    // the admin API and the health check do not
    expect([ADMIN_PATH, '/scalelite/api/getServers', '/health_check', '/'].filter(reaches)).toEqual([]);
  }
});

test('the routes send to nginx, and nginx refuses the admin API on its own too', () => {
  const manifests = rendered(ROUTED);
  const route = manifests.find((manifest) => manifest.kind === 'HTTPRoute') as any;
  const publicService = manifests.find(
    (manifest) => manifest.kind === 'Service' && manifest.metadata.name === route.spec.rules[0].backendRefs[0].name,
  ) as any;
  expect(publicService.spec.ports).toEqual([expect.objectContaining({ targetPort: 'http' })]);
  const api = manifests.find((manifest) => manifest.kind === 'Deployment' && manifest.metadata.name.endsWith('-api')) as any;
  const nginx = api.spec.template.spec.containers.find((container: any) => container.name === 'nginx');
  expect(nginx.ports).toEqual([expect.objectContaining({ name: 'http' })]);
  // nginx: /scalelite/ answered 404 before anything is proxied to the API
  const config = configMapEntry(manifests, 'nginx.conf');
  expect(config).toMatch(/location \/scalelite\/ \{\s*return 404;\s*\}/);
  expect(config.indexOf('location /scalelite/')).toBeLessThan(config.indexOf('location / {'));
});

test('the admin API is on a cluster-internal Service of its own, on the API port', () => {
  const manifests = rendered(ROUTED);
  const admin = manifests.find((manifest) => manifest.kind === 'Service' && manifest.metadata.name.endsWith('-admin')) as any;
  expect(admin.spec.type).toBe('ClusterIP');
  expect(admin.spec.ports).toEqual([expect.objectContaining({ port: 3000, targetPort: 'api' })]);
  // and no route names it
  const routed = manifests
    .filter((manifest) => manifest.kind === 'Ingress' || manifest.kind === 'HTTPRoute')
    .map((manifest) => JSON.stringify(manifest.spec));
  for (const spec of routed) expect(spec).not.toContain(admin.metadata.name);
});

test('a route opened to everything would be caught', () => {
  const manifests = rendered({ ...ROUTED, httpRoute: { ...ROUTED.httpRoute, matches: [{ path: { type: 'PathPrefix', value: '/' } }] } });
  const route = manifests.find((manifest) => manifest.kind === 'HTTPRoute') as any;
  const paths = route.spec.rules.flatMap((rule: any) =>
    rule.matches.map((match: any) => ({ type: match.path.type, value: match.path.value })),
  );
  expect(paths.some((rule: { type: string; value: string }) => routes(rule.type, rule.value, ADMIN_PATH))).toBe(true);
});
