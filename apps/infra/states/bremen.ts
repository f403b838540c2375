import { KUBERNETES } from '@meetscale/platform-versions';

import type { StateConfigInput } from '../src/state-config';

/**
 * Bremen: a small state. Sized for 500 concurrent participants at peak, all in Jitsi, in classes of 25 at 720p with
 * lastN 5 (the model's defaults): 22 bridges of 23 participants at peak, two shards of 2 to 11 bridges each, 4 to 22
 * media nodes, with fixed public IPs for the bridges so the schools' firewalls can allow-list them.
 */
export const state: StateConfigInput = {
  id: 'bremen',
  name: 'Bremen',
  location: 'de/txl',
  domain: 'bremen.meetscale.example',
  // The ACME account's contact (an example address, replace with the platform team's).
  certificates: { acmeEmail: 'platform@bremen.meetscale.example' },
  kubernetes: {
    // The release the charts are tested on (packages/platform-versions); override only with a reason.
    version: KUBERNETES.release,
    maintenanceWindow: { day: 'Saturday', time: '02:00:00Z' },
    // The state's CI runners (a documentation range, replace with the real one).
    apiAllowList: ['198.51.100.0/24'],
  },
  peakLoad: { participants: 500, jitsiShare: 1 },
  nodePools: {
    // Set here, not derived: the model counts the logging stack in its production layout (three masters, two data
    // nodes: 5.7 cores, 23 GiB), which would make 5 to 6 of these nodes; Bremen runs the small layout (1 core, 4 GiB).
    system: { cores: 4, ramMb: 16384, minNodes: 2, maxNodes: 4 },
    media: { reservedPublicIps: true },
  },
  monitoring: {
    // Alerts by e-mail through the state's relay (example addresses); the relay's password is the Secret
    // `alertmanager-smtp` in the monitoring namespace, created by the platform team before the first apply.
    alerting: {
      smtp: {
        smarthost: 'smtp.bremen.meetscale.example:587',
        from: 'alerts@bremen.meetscale.example',
        username: 'alerts',
        passwordSecret: 'alertmanager-smtp',
      },
      team: ['video-team@bremen.meetscale.example'],
      onCall: ['on-call@bremen.meetscale.example'],
    },
  },
  // Logs in Elasticsearch (one node) and Kibana at logs.bremen.meetscale.example, kept as long as the chart's
  // defaults say. The user's password is the Secret `logging-user-ops` in the logging namespace, created by the
  // platform team before the apply that adds the user.
  logging: {
    users: [{ username: 'ops', fullName: 'Platform operations', passwordSecret: 'logging-user-ops' }],
  },
};
