import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';

import {
  barGaugePanel,
  binaryMapping,
  type DashboardModel,
  labelVariable,
  meetscaleDashboard,
  query,
  row,
  stateTimelinePanel,
  statPanel,
  timeseriesPanel,
  toModel,
} from './_panels';

/** The series of the selected shards. */
const SHARD = 'namespace=~"$namespace", shard=~"$shard"';

/**
 * The bridge autoscalers of the selected shards: `<fullname>-jvb`, where the fullname is the release (the shard) or
 * `<release>-jitsi-shard`; `-(.*-)?` keeps shard `shard-1` from matching `shard-10`'s.
 */
const AUTOSCALERS = 'namespace=~"$namespace", horizontalpodautoscaler=~"$shard-(.*-)?jvb"';

/** `expr`, or 0 when it has no series (no busy or draining bridge). */
const orZero = (expr: string) => `${expr} or vector(0)`;

/** One Jitsi shard (or several): its bridges, their load and media quality, its autoscaler and its participants. */
export function jitsiShardDashboard(): DashboardModel {
  const builder = meetscaleDashboard('meetscale-jitsi-shard', 'meetscale / Jitsi shard', ['jitsi'])
    .description("A jitsi-shard release: its videobridges, their stress and media quality, the bridge autoscaler and jicofo's view.")
    .withVariable(labelVariable('namespace', 'Namespace', 'label_values(shard:jitsi_jvb_stress:max, namespace)'))
    .withVariable(labelVariable('shard', 'Shard', 'label_values(shard:jitsi_jvb_stress:max{namespace=~"$namespace"}, shard)'))
    .withRow(row('Now'))
    .withPanel(
      statPanel({
        title: 'Bridges',
        description: "Videobridges of the shard: all, busy (stress above the chart's `jitsi.bridgeStressThreshold`) and draining.",
        queries: [
          query(orZero(`sum(shard:jitsi_jvb_bridges:count{${SHARD}})`), 'Bridges'),
          query(orZero(`sum(shard:jitsi_jvb_bridges_busy:count{${SHARD}})`), 'Busy'),
          query(orZero(`sum(shard:jitsi_jvb_bridges_draining:count{${SHARD}})`), 'Draining'),
        ],
        height: 6,
      }),
    )
    .withPanel(
      statPanel({
        title: 'Conferences and participants',
        description: "Conferences and their participants, as the shard's jicofo counts them.",
        queries: [
          query(orZero(`sum(shard:jitsi_jicofo_conferences:sum{${SHARD}})`), 'Conferences'),
          query(orZero(`sum(shard:jitsi_jicofo_participants:sum{${SHARD}})`), 'Participants'),
        ],
        height: 6,
      }),
    )
    .withRow(row('Bridges'))
    .withPanel(
      timeseriesPanel({
        title: 'Stress per bridge',
        description: 'Stress of each videobridge (its packet rate against its configured capacity; 1 is full), and the shard average.',
        queries: [
          query(`max by (pod) (jitsi_jvb_stress{${SHARD}})`, '{{pod}}'),
          query(`avg by (shard) (shard:jitsi_jvb_stress:avg{${SHARD}})`, 'average {{shard}}'),
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Bridge autoscaler',
        description: 'Bridges the HorizontalPodAutoscaler wants, runs and may run at most.',
        queries: [
          query(
            `max by (horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_desired_replicas{${AUTOSCALERS}})`,
            'desired {{horizontalpodautoscaler}}',
          ),
          query(
            `max by (horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_current_replicas{${AUTOSCALERS}})`,
            'current {{horizontalpodautoscaler}}',
          ),
          query(
            `max by (horizontalpodautoscaler) (kube_horizontalpodautoscaler_spec_max_replicas{${AUTOSCALERS}})`,
            'maximum {{horizontalpodautoscaler}}',
          ),
        ],
      }).overrideByRegexp('^maximum ', [{ id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } }]),
    )
    .withPanel(
      stateTimelinePanel(
        {
          title: 'Draining bridges',
          description: 'Bridges in graceful shutdown: they take no new conference and stop when their last one ends.',
          queries: [query(`max by (pod) (jitsi_jvb_graceful_shutdown{${SHARD}})`, '{{pod}}')],
        },
        [binaryMapping('draining', 'orange', 'serving', 'green')],
      ),
    )
    .withPanel(
      barGaugePanel({
        title: 'Conferences by size now',
        description: [
          'Conferences on the bridges by their number of participants (the bar of 3 counts the conferences of exactly 3).',
          'A conference spread over several bridges counts once on each.',
        ].join(' '),
        queries: [
          query(`sum by (le) (jitsi_jvb_conferences_by_size_bucket{${SHARD}})`, '{{le}}').format(prometheus.PromQueryFormat.Heatmap),
        ],
      }),
    )
    .withRow(row('Media quality'))
    .withPanel(
      timeseriesPanel({
        title: 'Round-trip time per bridge',
        description: 'Average round-trip time between each bridge and its participants.',
        queries: [query(`max by (pod) (jitsi_jvb_average_rtt{${SHARD}})`, '{{pod}}')],
        unit: 'ms',
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Packet loss per bridge',
        description: 'Share of packets lost from the participants to each bridge (in) and from the bridge to them (out).',
        queries: [
          query(`max by (pod) (jitsi_jvb_incoming_loss_fraction{${SHARD}})`, 'in {{pod}}'),
          query(`max by (pod) (jitsi_jvb_outgoing_loss_fraction{${SHARD}})`, 'out {{pod}}'),
        ],
        unit: 'percentunit',
      }),
    )
    .withRow(row('Conferences'))
    .withPanel(
      timeseriesPanel({
        title: 'Participants',
        description: "Participants of the shard's conferences, as jicofo counts them.",
        queries: [query(`sum by (namespace, shard) (jitsi_jicofo_participants_current{${SHARD}})`, '{{namespace}}/{{shard}}')],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Conferences',
        description: "The shard's conferences, as jicofo counts them.",
        queries: [query(`sum by (namespace, shard) (jitsi_jicofo_conferences{${SHARD}})`, '{{namespace}}/{{shard}}')],
      }),
    );
  return toModel(builder);
}
