import { parseOciLocation } from '../src';

describe('an OCI location, as the release tool and the state stacks read it', () => {
  test.each([
    ['oci://ghcr.io/meetscale/charts', 'ghcr.io', '/meetscale/charts'],
    ['oci://registry.bremen.de:5443/meetscale/charts', 'registry.bremen.de:5443', '/meetscale/charts'],
    ['oci://127.0.0.1:5000/meetscale', '127.0.0.1:5000', '/meetscale'],
    ['oci://[::1]:5000/meetscale', '[::1]:5000', '/meetscale'],
    ['oci://registry.example', 'registry.example', ''],
  ])('%s is host %s and path "%s"', (text, host, path) => {
    expect(parseOciLocation(text)).toEqual({ host, path });
  });

  test.each([
    ['https://ghcr.io/meetscale', 'not oci://'],
    ['oci://ghcr.io/meetscale:1.0', 'a tag'],
    ['oci://ghcr.io/meetscale@sha256:00', 'a digest'],
    ['oci://GHCR.io/meetscale', 'an upper-case host'],
    ['oci://ghcr.io/Meetscale', 'an upper-case path'],
    ['oci://ghcr.io/meetscale/', 'a trailing slash'],
    ['oci://ghcr.io//meetscale', 'an empty path segment'],
    ['oci:///meetscale', 'no host'],
  ])('%s is refused (%s)', (text) => {
    expect(parseOciLocation(text)).toBeUndefined();
  });
});
