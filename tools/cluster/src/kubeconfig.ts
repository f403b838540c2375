import { stringify } from 'yaml';

/** A kubeconfig with one cluster, one user (a bearer token) and one current context. */
export function kubeconfig(server: string, caPem: string, user: string, token: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'meetscale-local', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: 'meetscale-local', context: { cluster: 'meetscale-local', user } }],
    'current-context': 'meetscale-local',
  });
}
