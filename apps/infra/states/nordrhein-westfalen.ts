import { KUBERNETES } from '@meetscale/platform-versions';

import { mediaNodesFor } from '../src/media-sizing';
import type { StateConfigInput } from '../src/state-config';

/**
 * Nordrhein-Westfalen: the largest state. Planned for 2,400 concurrent participants at peak (100 bridges of
 * 24), eight shards, nodes with ephemeral public IPs (a fixed block of 101 addresses is not worth it here).
 */
export const state: StateConfigInput = {
  id: 'nordrhein-westfalen',
  name: 'Nordrhein-Westfalen',
  location: 'de/fra',
  domain: 'nrw.meetscale.example',
  // The ACME account's contact (an example address, replace with the platform team's).
  certificates: { acmeEmail: 'platform@nrw.meetscale.example' },
  kubernetes: {
    // The release the charts are tested on (packages/platform-versions); override only with a reason.
    version: KUBERNETES.release,
    maintenanceWindow: { day: 'Sunday', time: '01:00:00Z' },
    // The state's CI runners and the operations network (documentation ranges, replace with the real ones).
    apiAllowList: ['203.0.113.0/24', '192.0.2.10/32'],
  },
  nodePools: {
    system: { cores: 8, ramMb: 32768, storageGb: 200, minNodes: 3, maxNodes: 12, maintenanceWindow: { day: 'Sunday', time: '02:00:00Z' } },
    media: { minNodes: 10, maxNodes: mediaNodesFor(2400), maintenanceWindow: { day: 'Sunday', time: '03:00:00Z' } },
  },
  jitsi: { shards: 8, haproxyReplicas: 3 },
  objectStorage: { region: 'eu-central-3', backupRetentionDays: 90 },
  monitoring: { retention: '30d', prometheusReplicas: 2 },
  // Logs in Elasticsearch's production layout (three masters, two data nodes of 200 GB each) on the system pool.
  // The state's data protection officer asked for the access and TURN logs to go after three days, and for client
  // addresses to be removed rather than truncated.
  logging: {
    elasticsearch: { layout: 'production', dataNodes: 2, storageGb: 200 },
    retention: { access: '3d', turn: '3d' },
    clientAddresses: 'remove',
    users: [
      { username: 'ops', fullName: 'Platform operations', passwordSecret: 'logging-user-ops' },
      { username: 'admin', fullName: 'Logging administrator', roles: ['superuser'], passwordSecret: 'logging-user-admin' },
    ],
  },
};
