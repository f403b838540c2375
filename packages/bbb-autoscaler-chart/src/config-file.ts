import { type HelmChart, json } from '@meetscale/chart-toolkit';

import type { BbbAutoscalerValues } from './values';

/** Where the pods mount the configuration (the ConfigMap, read-only). */
export const CONFIG_DIR = '/etc/meetscale';

/** The configuration file's name in the ConfigMap and in {@link CONFIG_DIR}. */
export const CONFIG_FILE_NAME = 'autoscaler.yaml';

/** The file the service reads (`--config`). */
export const CONFIG_FILE = `${CONFIG_DIR}/${CONFIG_FILE_NAME}`;

/**
 * The autoscaler's configuration file, in the format `autoscalerConfig` of `@meetscale/bbb-autoscaling` parses: YAML
 * whose values are written as JSON (`toJson`), so that any string, list or number of the values arrives unchanged.
 * The values blocks that map 1:1 are written whole; the Lease is the chart's own (`<fullname>`). No credential is in
 * it: the service reads those from the Secrets mounted at `SECRET_PATHS`.
 */
export function configFile(chart: HelmChart<BbbAutoscalerValues>): string {
  const v = chart.values;
  return `# The BigBlueButton autoscaler's configuration, written by the bbb-autoscaler chart from its values
# (release ${chart.release.name}); the format is autoscalerConfig of @meetscale/bbb-autoscaling.
policy: ${json(v.policy)}
pool: ${json(v.pool)}
ionos:
  apiUrl: ${json(v.ionos.apiUrl)}
  datacenterId: ${json(v.ionos.datacenterId)}
scalelite:
  url: ${json(v.scalelite.url)}
prometheus:
  url: ${json(v.prometheus.url)}
intervalSeconds: ${json(v.intervalSeconds)}
dryRun: ${json(v.dryRun)}
lease:
  name: ${json(chart.fullname)}
  durationSeconds: ${json(v.lease.durationSeconds)}
`;
}
