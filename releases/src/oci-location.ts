/**
 * Where charts are released to and installed from: an OCI registry location `oci://<host>[:port][/<path>]`, the
 * path in lower-case segments, no tag or digest, no trailing slash. The release tool pushes `<location>/<chart>`
 * there and a state stack installs from it, so both read the location the same way.
 */
export const OCI_LOCATION = /^oci:\/\/((?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\[::1\])(?::\d{1,5})?)((?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)$/;

/** An example of {@link OCI_LOCATION}, for error messages. */
export const OCI_LOCATION_EXAMPLE = 'oci://registry.example.de/meetscale/charts';

/** The host (with its port) and the path of an OCI location, or undefined when the text is none. */
export function parseOciLocation(text: string): { readonly host: string; readonly path: string } | undefined {
  const match = OCI_LOCATION.exec(text);
  return match === null ? undefined : { host: match[1] as string, path: match[2] ?? '' };
}
