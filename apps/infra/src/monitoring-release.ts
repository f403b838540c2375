import { MONITORING_CHART } from '@meetscale/chart-values/facts/monitoring';
import type { MonitoringValues } from '@meetscale/chart-values/monitoring';

import { MONITORING_NAMESPACE, PROMETHEUS_RELEASE_LABEL } from './addon-releases';
import type { HelmReleaseSpec, ReleaseContext } from './helm-release-spec';
import { meetscaleChart } from './meetscale-chart';
import type { StateAlerting } from './state-config';

/** The release of the monitoring chart, in the monitoring stack's namespace. */
export const MONITORING_RELEASE = MONITORING_CHART.chart;

/** The Secret holding the state's Alertmanager configuration, as the monitoring chart names it. */
export const ALERTMANAGER_CONFIG_SECRET = MONITORING_CHART.componentName('alertmanager', MONITORING_RELEASE);

/** The receivers of a state's alerts: the team gets everything, on call the critical alerts too. */
const TEAM_RECEIVER = 'video-team';
const ON_CALL_RECEIVER = 'on-call';

/** The Secrets Alertmanager must mount for the state's alerting (the SMTP password's). */
export function alertmanagerSecrets(alerting: StateAlerting | undefined): string[] {
  return alerting?.smtp.passwordSecret === undefined ? [] : [alerting.smtp.passwordSecret];
}

/** The monitoring chart's `alertmanager` values for a state's alerting. */
function alertmanagerValues(alerting: StateAlerting | undefined): MonitoringValues['alertmanager'] {
  if (alerting === undefined) return { enabled: false };
  const onCall = alerting.onCall.length > 0;
  return {
    enabled: true,
    smtp: {
      smarthost: alerting.smtp.smarthost,
      from: alerting.smtp.from,
      ...(alerting.smtp.username === undefined ? {} : { username: alerting.smtp.username }),
      ...(alerting.smtp.passwordSecret === undefined ? {} : { passwordSecret: { name: alerting.smtp.passwordSecret, key: 'password' } }),
    },
    defaultReceiver: TEAM_RECEIVER,
    receivers: [
      { name: TEAM_RECEIVER, email: alerting.team.map((to) => ({ to })) },
      ...(onCall ? [{ name: ON_CALL_RECEIVER, email: alerting.onCall.map((to) => ({ to })) }] : []),
    ],
    // A matched route takes the alert from the default receiver: after on call (`continue`), the team's route
    // takes every alert again, or the team would miss the critical ones.
    routes: onCall
      ? [
          { receiver: ON_CALL_RECEIVER, matchers: ['severity="critical"'], continue: true },
          { receiver: TEAM_RECEIVER, matchers: ['alertname=~".+"'] },
        ]
      : [],
  };
}

/**
 * The monitoring chart's release for a state: every area of the Jitsi installation, the media pool's maximum from
 * the state's node pool, the state's alerting, and the BigBlueButton area when the state runs BigBlueButton.
 */
export function monitoringRelease(context: ReleaseContext): HelmReleaseSpec {
  return meetscaleChart<MonitoringValues>({
    chart: MONITORING_CHART.chart,
    release: MONITORING_RELEASE,
    registry: context.chartRegistry,
    namespace: MONITORING_NAMESPACE,
    values: {
      commonLabels: { 'meetscale.io/state': context.stateId },
      rules: { labels: { ...PROMETHEUS_RELEASE_LABEL } },
      scrapeConfigs: { labels: { ...PROMETHEUS_RELEASE_LABEL } },
      mediaPool: { maxNodes: context.mediaNodesMax },
      // the BigBlueButton rules and dashboard with BigBlueButton; its servers, while they run, from the autoscaler
      bigbluebutton: { enabled: context.bigBlueButtonHost !== undefined, httpSdUrl: context.bigBlueButtonTargets ?? '' },
      alertmanager: alertmanagerValues(context.alerting),
    },
  });
}
