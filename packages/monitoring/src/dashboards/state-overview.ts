import * as common from '@grafana/grafana-foundation-sdk/common';

import {
  barGaugePanel,
  binaryMapping,
  type DashboardModel,
  meetscaleDashboard,
  query,
  row,
  statPanel,
  timeseriesPanel,
  toModel,
} from './_panels';

/** The bridge autoscalers of the jitsi-shard releases (`<fullname>-jvb`). */
const BRIDGE_AUTOSCALERS = 'horizontalpodautoscaler=~".+-jvb"';

/** `expr`, or 0 when it has no series (no shard, no BigBlueButton server, nothing busy). */
const orZero = (expr: string) => `${expr} or vector(0)`;

const jitsiConferences = orZero('sum(shard:jitsi_jicofo_conferences:sum)');
const bbbMeetings = orZero('sum(server:bbb_meetings:sum)');
const jitsiParticipants = orZero('sum(shard:jitsi_jicofo_participants:sum)');
const bbbParticipants = orZero('sum(server:bbb_meetings_participants:sum)');
const bridges = orZero('sum(shard:jitsi_jvb_bridges:count)');
const bridgesBusy = orZero('sum(shard:jitsi_jvb_bridges_busy:count)');
const bridgesMax = orZero(`sum(kube_horizontalpodautoscaler_spec_max_replicas{${BRIDGE_AUTOSCALERS}})`);

/**
 * The state at a glance: how many lessons and participants there are now on Jitsi and BigBlueButton, how much of
 * the capacity they use, and how it evolved per shard and per BigBlueButton server.
 */
export function stateOverviewDashboard(): DashboardModel {
  const builder = meetscaleDashboard('meetscale-state-overview', 'meetscale / State overview', ['overview'])
    .description('Lessons, participants and capacity of the state: every Jitsi shard and BigBlueButton server.')
    .withRow(row('Now'))
    .withPanel(
      statPanel({
        title: 'Lessons now',
        description: 'Jitsi conferences (as jicofo counts them, per shard) and BigBlueButton meetings (as each server reports them).',
        queries: [
          query(`(${jitsiConferences}) + (${bbbMeetings})`, 'All'),
          query(jitsiConferences, 'Jitsi'),
          query(bbbMeetings, 'BigBlueButton'),
        ],
        width: 8,
        height: 6,
      }),
    )
    .withPanel(
      statPanel({
        title: 'Participants now',
        description: 'Participants of the Jitsi conferences (jicofo) and of the BigBlueButton meetings.',
        queries: [
          query(`(${jitsiParticipants}) + (${bbbParticipants})`, 'All'),
          query(jitsiParticipants, 'Jitsi'),
          query(bbbParticipants, 'BigBlueButton'),
        ],
        width: 8,
        height: 6,
      }),
    )
    .withPanel(
      statPanel({
        title: 'Media nodes and bridges',
        description: [
          'Nodes of the media node pool (tainted for media) now, and the videobridges of every shard: all of them, the busy ones',
          "(stress above the chart's `jitsi.bridgeStressThreshold`) and the most the shards' bridge autoscalers may run.",
        ].join(' '),
        queries: [
          query(orZero('sum(state:media_nodes:count)'), 'Media nodes'),
          query(bridges, 'Bridges'),
          query(bridgesBusy, 'Busy bridges'),
          query(bridgesMax, 'Bridges at most'),
        ],
        width: 8,
        height: 6,
      }),
    )
    .withPanel(
      barGaugePanel({
        title: 'Capacity used',
        description: [
          "Bridges running against the most the shards' autoscalers may run, and the share of busy bridges among them.",
          "And the media nodes against the media node pool's maximum (the chart's `mediaPool.maxNodes`, recorded as `state:media_nodes:max`).",
        ].join(' '),
        queries: [
          query('sum(state:media_nodes:count) / max(state:media_nodes:max)', 'Media nodes of the pool maximum'),
          query(`(${bridges}) / (${bridgesMax})`, 'Bridges of their maximum'),
          query(`(${bridgesBusy}) / (${bridges})`, 'Bridges busy'),
        ],
        unit: 'percentunit',
        width: 16,
        height: 5,
      }).max(1),
    )
    .withPanel(
      statPanel({
        title: 'Media node pool at maximum',
        description: 'Whether the alert MediaNodePoolAtMaximum fires: no node can be added for more bridges.',
        queries: [query(orZero('max(ALERTS{alertname="MediaNodePoolAtMaximum", alertstate="firing"})'), 'Media node pool')],
        width: 8,
        height: 5,
      })
        .mappings([binaryMapping('at maximum', 'red', 'below maximum', 'green')])
        .colorMode(common.BigValueColorMode.Background),
    )
    .withRow(row('Jitsi shards'))
    .withPanel(
      timeseriesPanel({
        title: 'Participants per shard',
        description: 'Participants of the conferences of each shard, as its jicofo counts them.',
        queries: [query('sum by (namespace, shard) (shard:jitsi_jicofo_participants:sum)', '{{namespace}}/{{shard}}')],
        width: 8,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Conferences per shard',
        description: 'Conferences of each shard, as its jicofo counts them.',
        queries: [query('sum by (namespace, shard) (shard:jitsi_jicofo_conferences:sum)', '{{namespace}}/{{shard}}')],
        width: 8,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Bridges per shard',
        description: 'Videobridges of each shard, and how many of them are busy.',
        queries: [
          query('sum by (namespace, shard) (shard:jitsi_jvb_bridges:count)', '{{namespace}}/{{shard}}'),
          query(
            // A shard without busy bridges has no busy count: 0 then, rather than a gap.
            'sum by (namespace, shard) (shard:jitsi_jvb_bridges_busy:count) or sum by (namespace, shard) (shard:jitsi_jvb_bridges:count) * 0',
            '{{namespace}}/{{shard}} busy',
          ),
        ],
        width: 8,
      }),
    )
    .withRow(row('BigBlueButton'))
    .withPanel(
      timeseriesPanel({
        title: 'Participants per BigBlueButton server',
        description: 'Participants of the meetings of each BigBlueButton server.',
        queries: [query('sum by (server) (server:bbb_meetings_participants:sum)', '{{server}}')],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Meetings per BigBlueButton server',
        description: 'Meetings running on each BigBlueButton server.',
        queries: [query('sum by (server) (server:bbb_meetings:sum)', '{{server}}')],
      }),
    );
  return toModel(builder);
}
