import { MONITORING_CHART } from '@meetscale/chart-values/facts/monitoring';

import { addonReleases, MONITORING_NAMESPACE } from '../src/addon-releases';
import type { ReleaseContext } from '../src/helm-release-spec';
import { meetscaleReleases } from '../src/meetscale-releases';
import { ALERTMANAGER_CONFIG_SECRET, monitoringRelease } from '../src/monitoring-release';
import type { StateAlerting } from '../src/state-config';

const CONTEXT: ReleaseContext = {
  stateId: 'teststate',
  chartRegistry: 'oci://registry.example/meetscale',
  meetingHost: 'meet.example.org',
  ingressIp: '${ip}',
  jitsiShards: 2,
  haproxyReplicas: 2,
  bridgeAutoscaling: { minReplicas: 1, maxReplicas: 6 },
  bridgeCores: 8,
  channelLastN: 5,
  targetBridgeStress: 0.75,
  mediaNodesMax: 12,
  prometheusRetention: '15d',
  prometheusReplicas: 1,
  grafanaAdminPassword: '${var.grafana}',
  acmeEmail: 'platform@example.org',
  acmeServer: 'https://acme.example/directory',
};

const ALERTING: StateAlerting = {
  smtp: { smarthost: 'smtp.example.org:587', from: 'alerts@example.org', username: 'alerts', passwordSecret: 'alertmanager-smtp' },
  team: ['team@example.org'],
  onCall: ['on-call@example.org', 'duty@example.org'],
};

/** The kube-prometheus-stack values of a state. */
function kubePrometheusStack(context: ReleaseContext): any {
  const release = addonReleases(context).find((candidate) => candidate.name === 'kube-prometheus-stack');
  if (release === undefined) throw new Error('no kube-prometheus-stack release');
  return release.values;
}

describe('the monitoring release', () => {
  test('comes after the add-ons, in the monitoring stack namespace, with the media pool maximum of the state', () => {
    const release = monitoringRelease(CONTEXT);
    expect(meetscaleReleases(CONTEXT).map((candidate) => candidate.name)).toContain(release.name);
    expect(release).toMatchObject({ chart: MONITORING_CHART.chart, namespace: MONITORING_NAMESPACE });
    expect(release.values).toMatchObject({
      mediaPool: { maxNodes: 12 },
      alertmanager: { enabled: false },
      bigbluebutton: { enabled: false },
    });
    expect(monitoringRelease({ ...CONTEXT, bigBlueButtonHost: 'bbb.example.org' }).values).toMatchObject({
      bigbluebutton: { enabled: true },
    });
  });

  test('without alerting, Alertmanager keeps its default configuration', () => {
    expect(kubePrometheusStack(CONTEXT).alertmanager.alertmanagerSpec).not.toHaveProperty('configSecret');
  });

  test("with alerting, the team gets every alert, on call the critical ones, and Alertmanager reads the chart's Secret", () => {
    const context = { ...CONTEXT, alerting: ALERTING };
    expect(monitoringRelease(context).values).toMatchObject({
      alertmanager: {
        enabled: true,
        smtp: { smarthost: 'smtp.example.org:587', passwordSecret: { name: 'alertmanager-smtp', key: 'password' } },
        defaultReceiver: 'video-team',
        receivers: [
          { name: 'video-team', email: [{ to: 'team@example.org' }] },
          { name: 'on-call', email: [{ to: 'on-call@example.org' }, { to: 'duty@example.org' }] },
        ],
        routes: [
          { receiver: 'on-call', matchers: ['severity="critical"'], continue: true },
          { receiver: 'video-team', matchers: ['alertname=~".+"'] },
        ],
      },
    });
    expect(ALERTMANAGER_CONFIG_SECRET).toBe(MONITORING_CHART.componentName('alertmanager', monitoringRelease(context).name));
    expect(kubePrometheusStack(context).alertmanager.alertmanagerSpec).toMatchObject({
      useExistingSecret: true,
      configSecret: ALERTMANAGER_CONFIG_SECRET,
      secrets: ['alertmanager-smtp'],
    });
  });

  test('with alerting and nobody on call, there is one receiver and no route', () => {
    const values = monitoringRelease({ ...CONTEXT, alerting: { ...ALERTING, onCall: [] } }).values as any;
    expect(values.alertmanager.receivers.map((receiver: { name: string }) => receiver.name)).toEqual(['video-team']);
    expect(values.alertmanager.routes).toEqual([]);
  });
});
