import { KUBERNETES } from '@meetscale/platform-versions';

import { mediaNodesFor } from '../src/media-sizing';
import type { StateConfigInput } from '../src/state-config';

/**
 * Bremen: a small state. Planned for 240 concurrent participants at peak (10 bridges of 24), two shards, and
 * fixed public IPs for the bridges so the schools' firewalls can allow-list them.
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
  nodePools: {
    system: { cores: 4, ramMb: 16384, minNodes: 2, maxNodes: 4 },
    media: { minNodes: 2, maxNodes: mediaNodesFor(240), reservedPublicIps: true },
  },
  jitsi: { shards: 2 },
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
