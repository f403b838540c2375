import './_bindings';

import { BIGBLUEBUTTON_NAMESPACE, scaleliteValues } from '../src/scalelite-release';
import { bigBlueButtonConfig, synthesize } from './_stacks';

describe('scaleliteValues', () => {
  test("point Scalelite at the stack's backing services, its Secrets and claim, and route its host from the Gateway", () => {
    // GIVEN the stack of a state with BigBlueButton
    const { stack } = synthesize(bigBlueButtonConfig());
    const backends = stack.scalelite?.backends;
    if (backends === undefined || stack.bigBlueButtonHost === undefined) throw new Error('no BigBlueButton in the test state');

    // WHEN
    const values = scaleliteValues(stack.config.id, stack.bigBlueButtonHost, backends);

    // THEN (the hosts are the services' DNS names, Terraform expressions)
    expect(BIGBLUEBUTTON_NAMESPACE).toBe('bigbluebutton');
    expect(values).toEqual({
      commonLabels: { 'meetscale.io/state': 'bbbland' },
      urlHost: 'bbb.bbbland.meetscale.example',
      database: {
        host: stack.scalelite?.postgres.host,
        port: 5432,
        name: 'scalelite_production',
        user: 'scalelite_app',
        password: { existingSecret: 'scalelite-postgres', key: 'password' },
        sslMode: 'require',
      },
      redis: {
        host: stack.scalelite?.redis.host,
        port: 6379,
        db: 0,
        tls: false,
        password: { existingSecret: 'scalelite-redis', key: 'password' },
      },
      recordings: { existingClaim: 'scalelite-recordings' },
      httpRoute: { enabled: true, parentRefs: [{ name: 'meetscale', namespace: 'gateway' }], hostnames: ['bbb.bbbland.meetscale.example'] },
      servers: [],
    });
  });
});
