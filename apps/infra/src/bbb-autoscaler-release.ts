import { AUTOSCALER_PATHS } from '@meetscale/bbb-autoscaling';
import type { BbbAutoscalerValues } from '@meetscale/chart-values/bbb-autoscaler';
import { BBB_AUTOSCALER_CHART } from '@meetscale/chart-values/facts/bbb-autoscaler';
import { SCALELITE_CHART } from '@meetscale/chart-values/facts/scalelite';

import { MONITORING_NAMESPACE, PROMETHEUS_RELEASE_LABEL } from './addon-releases';
import type { BbbServerPoolDescription } from './bbb-server-pool';
import type { BbbServerPoolConfig } from './bigbluebutton-config';
import type { HelmReleaseSpec } from './helm-release-spec';
import { meetscaleChart } from './meetscale-chart';
import { BIGBLUEBUTTON_NAMESPACE } from './scalelite-release';

/** The autoscaler's release, named after its chart (so its Service is `bbb-autoscaler`). */
export const BBB_AUTOSCALER_RELEASE = BBB_AUTOSCALER_CHART.chart;

/** The Terraform variable of the autoscaler's IONOS token (`TF_VAR_bbb_autoscaler_ionos_token`). */
export const BBB_AUTOSCALER_TOKEN_VARIABLE = 'bbb_autoscaler_ionos_token';

/** The Secret the stack writes the autoscaler's IONOS token into, and its key. */
export const BBB_AUTOSCALER_IONOS_SECRET = { existingSecret: `${BBB_AUTOSCALER_RELEASE}-ionos`, key: 'token' } as const;

/** The Scalelite release the autoscaler drives (the stack's, named after its chart). */
const SCALELITE_RELEASE = SCALELITE_CHART.chart;

/** The URL of the autoscaler's HTTP service discovery, which the monitoring chart scrapes the servers through. */
export const BBB_AUTOSCALER_TARGETS_URL = `http://${BBB_AUTOSCALER_CHART.serviceName('autoscaler', BBB_AUTOSCALER_RELEASE)}.${BIGBLUEBUTTON_NAMESPACE}.svc:${BBB_AUTOSCALER_CHART.ports.autoscaler}${AUTOSCALER_PATHS.targets}`;

/**
 * The autoscaler's values for a state's pool: its servers by name and IONOS id, their secrets (the pool's Secret),
 * Scalelite's admin Service and loadbalancer secret of the state's Scalelite release, the state's Prometheus, the
 * IONOS token the stack stores, and the state's policy; scraped by the state's Prometheus.
 */
export function bbbAutoscalerValues(stateId: string, pool: BbbServerPoolDescription, config: BbbServerPoolConfig): BbbAutoscalerValues {
  return {
    commonLabels: { 'meetscale.io/state': stateId },
    // the state's policy, its bounds from the sizing (the values type holds non-empty lists as tuples)
    policy: {
      ...config.autoscaler.policy,
      schedule: config.autoscaler.policy.schedule.map((window) => ({
        ...window,
        days: nonEmpty(window.days, 'a schedule window without days'),
      })),
    },
    dryRun: config.autoscaler.dryRun,
    pool: nonEmpty(
      pool.servers.map((server) => ({ host: server.fqdn, serverId: server.serverId })),
      'a server pool without servers',
    ),
    ionos: { datacenterId: pool.datacenterId, token: { ...BBB_AUTOSCALER_IONOS_SECRET } },
    scalelite: {
      url: `http://${SCALELITE_CHART.serviceName('admin', SCALELITE_RELEASE)}.${BIGBLUEBUTTON_NAMESPACE}.svc:${SCALELITE_CHART.ports.admin}`,
      secret: { existingSecret: SCALELITE_CHART.fullname(SCALELITE_RELEASE), key: 'loadbalancer-secret' },
    },
    prometheus: { url: `http://kube-prometheus-stack-prometheus.${MONITORING_NAMESPACE}.svc:9090` },
    serverSecrets: { existingSecret: pool.secret.name },
    metrics: { serviceMonitor: { enabled: true, labels: { ...PROMETHEUS_RELEASE_LABEL } } },
    networkPolicy: { enabled: true },
  };
}

/** A list that holds at least one item, typed so; `what` names the list when it does not. */
function nonEmpty<T>(items: readonly T[], what: string): [T, ...T[]] {
  const [first, ...rest] = items;
  if (first === undefined) throw new Error(`${what}: the autoscaler's schema refuses it`);
  return [first, ...rest];
}

/** The autoscaler's release: the chart's last release from the state's registry, beside Scalelite. */
export function bbbAutoscalerRelease(
  registry: string,
  stateId: string,
  pool: BbbServerPoolDescription,
  config: BbbServerPoolConfig,
): HelmReleaseSpec {
  return meetscaleChart<BbbAutoscalerValues>({
    chart: BBB_AUTOSCALER_CHART.chart,
    release: BBB_AUTOSCALER_RELEASE,
    registry,
    namespace: BIGBLUEBUTTON_NAMESPACE,
    values: bbbAutoscalerValues(stateId, pool, config),
    after: [SCALELITE_RELEASE],
  });
}
