import './_bindings';

import { autoscalerConfig } from '@meetscale/bbb-autoscaling';
import { BBB_AUTOSCALER_CHART } from '@meetscale/chart-values/facts/bbb-autoscaler';
import YAML from 'yaml';

import {
  BBB_AUTOSCALER_IONOS_SECRET,
  BBB_AUTOSCALER_TARGETS_URL,
  BBB_AUTOSCALER_TOKEN_VARIABLE,
  bbbAutoscalerValues,
} from '../src/bbb-autoscaler-release';
import { BBB_SERVER_SECRETS } from '../src/bbb-server-pool';
import { BIGBLUEBUTTON_NAMESPACE } from '../src/scalelite-release';
import { parseStateConfig } from '../src/state-config';
import { bigBlueButtonConfig, bigBlueButtonPoolConfig, bigBlueButtonPoolState, resourceOf, synthesize } from './_stacks';
import { thrownBy } from './_thrown';

const HOSTS = ['bbb-01', 'bbb-02', 'bbb-03'];

describe('the BigBlueButton autoscaler of a state with a server pool', () => {
  test("is given the pool's servers by name and IONOS id, their Secret, Scalelite's admin API and secret, Prometheus and the IONOS token", () => {
    // GIVEN the stack of a state with a pool of three servers and a policy of its own
    const config = bigBlueButtonPoolConfig({
      autoscaler: { policy: { minServers: 1, schedule: [{ days: ['mon', 'tue'], from: '07:30', to: '13:00', minServers: 3 }] } },
    });
    const { stack } = synthesize(config);
    const pool = stack.bbbServerPool?.description;
    if (pool === undefined || config.bigbluebutton.servers === undefined) throw new Error('no server pool in the test state');

    // WHEN
    const values = bbbAutoscalerValues(config.id, pool, config.bigbluebutton.servers);

    // THEN
    expect(values).toMatchObject({
      commonLabels: { 'meetscale.io/state': 'bbbland' },
      dryRun: false,
      pool: HOSTS.map((host, index) => ({ host: `${host}.bbbland.meetscale.example`, serverId: pool.servers[index]?.serverId })),
      ionos: { datacenterId: pool.datacenterId, token: { existingSecret: 'bbb-autoscaler-ionos', key: 'token' } },
      scalelite: {
        url: 'http://scalelite-admin.bigbluebutton.svc:3000',
        secret: { existingSecret: 'scalelite', key: 'loadbalancer-secret' },
      },
      prometheus: { url: 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090' },
      serverSecrets: { existingSecret: BBB_SERVER_SECRETS },
      metrics: { serviceMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } } },
    });
    expect(values.policy).toMatchObject({ minServers: 1, schedule: [{ days: ['mon', 'tue'], from: '07:30', to: '13:00', minServers: 3 }] });
    // AND the configuration file the chart writes from them is one the service accepts (ids aside: Terraform fills them)
    const file = {
      ...values,
      pool: (values.pool ?? []).map((server) => ({ ...server, serverId: '0b7c4f1e-9d2a-4c3b-8e5f-000000000001' })),
    };
    const parsed = autoscalerConfig.safeParse({
      policy: file.policy,
      pool: file.pool,
      ionos: { datacenterId: '6f0e1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b' },
      scalelite: { url: file.scalelite?.url },
      prometheus: { url: file.prometheus?.url },
      lease: { name: BBB_AUTOSCALER_CHART.fullname('bbb-autoscaler') },
    });
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  test('is installed after Scalelite, with the IONOS token from a sensitive variable in a Secret beside it', () => {
    const synthesized = synthesize(bigBlueButtonPoolConfig());
    const releases = synthesized.json.resource.helm_release ?? {};
    const autoscaler = Object.entries(releases).find(([, release]) => (release as { chart?: string }).chart === 'bbb-autoscaler');
    expect(autoscaler).toBeDefined();
    const [, release] = autoscaler as [string, Record<string, unknown>];
    expect(release).toMatchObject({ name: 'bbb-autoscaler', namespace: BIGBLUEBUTTON_NAMESPACE });
    expect(JSON.stringify(release.depends_on)).toContain('helm_release.bigbluebutton-releases_scalelite');
    expect(resourceOf(synthesized, 'kubernetes_secret_v1', 'bbb-autoscaler-ionos')).toMatchObject({
      metadata: { name: BBB_AUTOSCALER_IONOS_SECRET.existingSecret, namespace: BIGBLUEBUTTON_NAMESPACE },
      data: { token: `\${var.${BBB_AUTOSCALER_TOKEN_VARIABLE}}` },
    });
    expect((synthesized.json as unknown as { variable: Record<string, unknown> }).variable[BBB_AUTOSCALER_TOKEN_VARIABLE]).toMatchObject({
      sensitive: true,
    });
  });

  test("points the monitoring chart's BigBlueButton scrape at the autoscaler's service discovery, and only with a pool", () => {
    const monitoringValues = (config: ReturnType<typeof bigBlueButtonConfig>): Record<string, any> => {
      const synthesized = synthesize(config);
      const release = Object.values(synthesized.json.resource.helm_release ?? {}).find(
        (candidate) => (candidate as { chart?: string }).chart === 'monitoring',
      ) as { values: string[] };
      return YAML.parse(release.values[0] as string) as Record<string, any>;
    };
    expect(BBB_AUTOSCALER_TARGETS_URL).toBe('http://bbb-autoscaler.bigbluebutton.svc:8080/targets');
    expect(monitoringValues(bigBlueButtonPoolConfig()).bigbluebutton).toEqual({ enabled: true, httpSdUrl: BBB_AUTOSCALER_TARGETS_URL });
    expect(monitoringValues(bigBlueButtonConfig()).bigbluebutton).toEqual({ enabled: true, httpSdUrl: '' });
  });

  test('refuses a policy whose floor or maximum the pool cannot meet, naming the value', () => {
    expect(
      thrownBy(() =>
        parseStateConfig(
          bigBlueButtonPoolState({
            count: 2,
            autoscaler: { policy: { schedule: [{ days: ['mon'], from: '07:00', to: '12:00', minServers: 4 }] } },
          }),
          'bbbland.ts',
        ),
      ).message,
    ).toContain("bigbluebutton.servers.autoscaler.policy: the autoscaler's floor asks for 4 servers, the pool has 2");
    expect(
      thrownBy(() => parseStateConfig(bigBlueButtonPoolState({ autoscaler: { policy: { maxServers: 5 } } }), 'bbbland.ts')).message,
    ).toContain("bigbluebutton.servers.autoscaler.policy.maxServers: maxServers 5 is more than the pool's 3 servers");
    expect(
      thrownBy(() => parseStateConfig(bigBlueButtonPoolState({ autoscaler: { policy: { timeZone: 'Europe/Bremen' } } }), 'bbbland.ts'))
        .message,
    ).toContain('unknown time zone "Europe/Bremen"');
  });
});
