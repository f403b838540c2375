import * as net from 'node:net';

/**
 * A TCP port that is free on 127.0.0.1 right now: the kernel picks it for a listener that is closed again
 * at once. Another process could take it before the caller binds it; the control plane starts again on
 * fresh ports when one of its programs finds its port taken (see `ControlPlane.start`).
 */
export async function freeLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('the kernel gave no TCP port on 127.0.0.1');
  return address.port;
}
