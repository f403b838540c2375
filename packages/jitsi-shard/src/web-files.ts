/**
 * The files the web pods read from the chart's ConfigMap, and where the web image reads them. The image's start
 * script (web/rootfs/etc/s6-overlay/scripts/config at the chart's image tag) copies `/config` to `/run/web/config`
 * and builds its nginx and Jitsi Meet configuration there; each file is mounted into `/config` on its own
 * (`subPath`), so the root filesystem stays read-only.
 */
import { join } from 'node:path';

import { readChartText } from '@meetscale/chart-toolkit';

import { PORTS } from './shard-settings';

/** The shard health path HAProxy checks: 200 when the shard can host a new room, 404 when not. */
export const HEALTH_PATH = '/_meetscale/health';

/** Where the web image reads each file (the key of the file in the web ConfigMap, the path in the container). */
export const WEB_FILES = {
  /** Included in nginx's server block: web/rootfs/defaults/meet.conf includes `/run/web/config/nginx-custom/*.conf`. */
  health: { key: 'meetscale-health.conf', path: '/config/nginx-custom/meetscale-health.conf' },
  /** `web.nginxSnippet`, in the same include. */
  nginxSnippet: { key: 'custom.conf', path: '/config/nginx-custom/custom.conf' },
  /**
   * `config.channelLastN` from `web.channelLastN` (when set), then `web.customConfig`: the start script appends
   * `/run/web/config/custom-config.js` to `config.js`, after the options it writes from its own settings.
   */
  customConfig: { key: 'custom-config.js', path: '/config/custom-config.js' },
  /** `web.customInterfaceConfig`: appended to `interface_config.js` likewise. */
  customInterfaceConfig: { key: 'custom-interface_config.js', path: '/config/custom-interface_config.js' },
} as const;

/** `files/web/meetscale-health.conf` with the fully qualified names of prosody and jicofo. */
export function healthConf(hosts: { readonly prosody: string; readonly jicofo: string }): string {
  return readChartText(join(__dirname, '..', 'files', 'web', 'meetscale-health.conf'), {
    PROSODY_HOST: hosts.prosody,
    PROSODY_PORT: String(PORTS.prosodyHttp),
    JICOFO_HOST: hosts.jicofo,
    JICOFO_PORT: String(PORTS.jicofoHttp),
  });
}
