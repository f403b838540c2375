import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { AUTOSCALER_PATHS } from '@meetscale/bbb-autoscaling';
import type { Registry } from 'prom-client';

/** What the HTTP endpoints report on. */
export interface ServiceStatus {
  /** Whether the process is healthy: its loop runs (a leader's last cycle is recent). */
  live(): boolean;
  /** Whether it is ready: its configuration and credentials are loaded. */
  ready(): boolean;
  /** The hosts of the servers whose VM runs, for Prometheus' HTTP service discovery. */
  runningHosts(): readonly string[];
  /** The metrics. */
  readonly registry: Registry;
}

/**
 * Serves `/healthz`, `/readyz`, `/metrics` and `/targets`: the running servers in Prometheus' HTTP SD format (one
 * target group of hostnames; the monitoring chart's ScrapeConfigs put each exporter's port and the `server` label
 * on them).
 */
export function startHttpServer(status: ServiceStatus, port: number, host = '0.0.0.0'): Promise<Server> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method !== 'GET') {
      response.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    const text = (code: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      response.writeHead(code, { 'content-type': type }).end(body);
    };
    switch (path) {
      case AUTOSCALER_PATHS.live:
        text(status.live() ? 200 : 503, status.live() ? 'ok\n' : 'the decision loop is stuck\n');
        return;
      case AUTOSCALER_PATHS.ready:
        text(status.ready() ? 200 : 503, status.ready() ? 'ok\n' : 'not ready\n');
        return;
      case AUTOSCALER_PATHS.metrics:
        status.registry.metrics().then(
          (body) => text(200, body, status.registry.contentType),
          (error: unknown) => text(500, String(error)),
        );
        return;
      case AUTOSCALER_PATHS.targets: {
        const hosts = [...status.runningHosts()].sort();
        text(200, `${JSON.stringify(hosts.length === 0 ? [] : [{ targets: hosts, labels: {} }])}\n`, 'application/json');
        return;
      }
      default:
        text(404, 'not found\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/** The port a started server listens on. */
export const portOf = (server: Server): number => (server.address() as AddressInfo).port;
