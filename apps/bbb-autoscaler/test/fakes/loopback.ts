import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Starts `http` listening on 127.0.0.1 (port 0: a free one); returns the port. */
export async function listenOnLoopback(http: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  return (http.address() as AddressInfo).port;
}

/** Stops `http` listening and ends every connection, requests still waiting for an answer included. */
export async function stopListening(http: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    http.close(() => resolve());
    http.closeAllConnections();
  });
}
