import type { HelmChart } from '@meetscale/chart-toolkit';

import { Etherpad } from './etherpad';
import { Jicofo } from './jicofo';
import { Prosody } from './prosody';
import { ShardNetworkPolicies } from './shard-network-policies';
import { ShardServiceMonitor } from './shard-service-monitor';
import { ShardSettings } from './shard-settings';
import type { JitsiShardValues } from './values';
import { Videobridges } from './videobridges';
import { Web } from './web';
import { Whiteboard } from './whiteboard';

/**
 * Adds one complete Jitsi Meet shard to a chart: shared settings and credentials, web, prosody, jicofo, the
 * videobridge pool, metrics and network policies. Each component is a top-level construct, so its templates
 * land in a folder of their own (`templates/web/`, `templates/jvb/`, ...).
 */
export function buildJitsiShard(chart: HelmChart<JitsiShardValues>): void {
  const settings = new ShardSettings(chart, 'settings', { chart });
  new Web(chart, 'web', { chart, settings });
  new Prosody(chart, 'prosody', { chart, settings });
  new Jicofo(chart, 'jicofo', { chart, settings });
  new Videobridges(chart, 'jvb', { chart, settings });
  new Etherpad(chart, 'etherpad', { chart });
  new Whiteboard(chart, 'whiteboard', { chart });
  new ShardServiceMonitor(chart, 'metrics', { chart });
  new ShardNetworkPolicies(chart, 'network-policies', { chart });
}
