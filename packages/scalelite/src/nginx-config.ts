import type { HelmChart } from '@meetscale/chart-toolkit';

import type { ScaleliteValues } from './values';

/** The port puma serves the API on (`config/puma.rb`: `PORT`, 3000). */
export const API_PORT = 3000;

/** The unprivileged port nginx listens on (upstream's templates use 80, which needs root). */
export const NGINX_PORT = 8080;

/**
 * nginx's configuration beside each API replica, in place of the image's generated one (which listens on 80 as
 * root and proxies to a host named `scalelite-api`): the same proxying as upstream's behind-a-proxy template, to the
 * API on localhost, the players bundled in the image (`/etc/bigbluebutton/nginx/*.nginx`) and the internal
 * `/static-resource` the API redirects playback to; everything writable under /tmp. The admin API is refused here
 * as well as left out of the public route: its checksum does not cover the request body.
 */
export function nginxConfig(chart: HelmChart<ScaleliteValues>): string {
  return `worker_processes 1;
pid /tmp/nginx.pid;
error_log stderr warn;

events {
  worker_connections 1024;
}

http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  sendfile on;
  server_tokens off;
  access_log /dev/stderr combined;
  client_body_temp_path /tmp/client-body;
  proxy_temp_path /tmp/proxy;
  fastcgi_temp_path /tmp/fastcgi;
  uwsgi_temp_path /tmp/uwsgi;
  scgi_temp_path /tmp/scgi;
  client_max_body_size ${chart.values.api.nginx.clientMaxBodySize};

  # TLS ends before nginx (Ingress or Gateway): keep the scheme the client used
  map $http_x_forwarded_proto $forwarded_proto {
    default $http_x_forwarded_proto;
    "" $scheme;
  }

  server {
    listen ${NGINX_PORT} default_server;

    location /scalelite/ {
      return 404;
    }

    location / {
      proxy_pass http://127.0.0.1:${API_PORT};
      proxy_read_timeout 60s;
      proxy_redirect off;
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $forwarded_proto;
      proxy_headers_hash_bucket_size 128;
    }

    include /etc/bigbluebutton/nginx/*.nginx;

    location /static-resource {
      alias /var/bigbluebutton/published;
      index index.html index.htm;
      internal;
    }
  }
}
`;
}
