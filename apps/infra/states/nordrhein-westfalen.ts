import { KUBERNETES } from '@meetscale/platform-versions';

import type { StateConfigInput } from '../src/state-config';

/**
 * Nordrhein-Westfalen: the largest state. Sized for 5,000 concurrent participants at peak, all in Jitsi, in classes
 * of 25 at 720p with lastN 5 (the model's defaults): 218 bridges of 23 participants at peak, three shards of 8 to 73
 * bridges each, 24 to 219 media nodes with ephemeral public IPs (a fixed block of 220 addresses is not worth it
 * here), and a system pool of 3 to 4 nodes for the platform in its production layout.
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
  peakLoad: { participants: 5000, jitsiShare: 1 },
  nodePools: {
    system: { cores: 8, ramMb: 32768, storageGb: 200, maintenanceWindow: { day: 'Sunday', time: '02:00:00Z' } },
    media: { maintenanceWindow: { day: 'Sunday', time: '03:00:00Z' } },
  },
  jitsi: { haproxyReplicas: 3 },
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
