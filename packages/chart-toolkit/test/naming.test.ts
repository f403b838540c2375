import { componentNameOf, fullnameOf, nameOf, releaseNaming } from '../src/naming';

// test/chart-facts.test.ts checks these names against what Helm renders; here, each rule on its own.
describe('fullnameOf', () => {
  test('is `<release>-<chart>` when the release name does not contain the chart name', () => {
    expect(fullnameOf('jitsi-shard', 'shard-0')).toBe('shard-0-jitsi-shard');
  });

  test('is the release name alone when it contains the chart name', () => {
    expect(fullnameOf('jitsi-shard', 'blue-jitsi-shard-2')).toBe('blue-jitsi-shard-2');
  });

  test('uses nameOverride in place of the chart name, unless it is empty', () => {
    expect(fullnameOf('jitsi-shard', 'shard-0', { nameOverride: 'meet' })).toBe('shard-0-meet');
    expect(fullnameOf('jitsi-shard', 'meet-berlin', { nameOverride: 'meet' })).toBe('meet-berlin');
    expect(fullnameOf('jitsi-shard', 'shard-0', { nameOverride: '' })).toBe('shard-0-jitsi-shard');
  });

  test('is fullnameOverride when it is set', () => {
    expect(fullnameOf('jitsi-shard', 'shard-0', { nameOverride: 'meet', fullnameOverride: 'berlin' })).toBe('berlin');
    expect(fullnameOf('jitsi-shard', 'shard-0', { fullnameOverride: '' })).toBe('shard-0-jitsi-shard');
  });

  test('is cut at 63 characters, without a trailing dash', () => {
    const release = 'r'.repeat(53);
    expect(fullnameOf('jitsi-shard', release)).toBe(`${release}-jitsi-sha`);
    expect(fullnameOf('jitsi-shard', release, { nameOverride: 'override-name' })).toBe(`${release}-override`);
  });
});

test('nameOf is nameOverride, else the chart name', () => {
  expect(nameOf('haproxy')).toBe('haproxy');
  expect(nameOf('haproxy', { nameOverride: 'balancer' })).toBe('balancer');
});

test('componentNameOf is `<fullname>-<component>`, cut at 63 characters without a trailing dash', () => {
  expect(componentNameOf('haproxy', 'haproxy', 'metrics')).toBe('haproxy-metrics');
  const release = 'r'.repeat(53);
  expect(componentNameOf('haproxy', release, 'metrics', { nameOverride: 'balancer' })).toBe(`${release}-balancer`);
});

test('releaseNaming names a Service by its component, or by the fullname when its component is empty', () => {
  // GIVEN
  const naming = releaseNaming('haproxy', { haproxy: '', peers: 'peers' });

  // THEN
  expect(naming.serviceName('haproxy', 'edge')).toBe('edge-haproxy');
  expect(naming.serviceName('peers', 'edge')).toBe('edge-haproxy-peers');
  expect(naming.serviceName('peers', 'edge', { fullnameOverride: 'lb' })).toBe('lb-peers');
});
