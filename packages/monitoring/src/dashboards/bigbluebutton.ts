import type * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';

import { BBB_NODE_EXPORTER_JOB } from '../alerts';
import {
  binaryMapping,
  type DashboardModel,
  labelVariable,
  meetscaleDashboard,
  type PanelSpec,
  query,
  row,
  stateTimelinePanel,
  statPanel,
  timeseriesPanel,
  toModel,
} from './_panels';

/** The series of the selected servers. */
const SERVER = 'server=~"$server"';

/** node-exporter on the selected servers, as the chart's ScrapeConfig scrapes it (not the cluster nodes' node-exporter). */
const NODE = `job="${BBB_NODE_EXPORTER_JOB}", ${SERVER}`;

/** The colour of each Scalelite state of a server. */
const SCALELITE_STATES: ReadonlyArray<readonly [state: string, color: string]> = [
  ['enabled', 'green'],
  ['cordoned', 'orange'],
  ['disabled', 'red'],
];

/** The BigBlueButton servers and Scalelite's view of them: meetings, state, load and recordings. */
export function bigBlueButtonDashboard(): DashboardModel {
  const builder = meetscaleDashboard('meetscale-bigbluebutton', 'meetscale / BigBlueButton', ['bigbluebutton', 'scalelite'])
    .description('The BigBlueButton servers behind Scalelite: meetings and participants, Scalelite state, host load and recordings.')
    .withVariable(labelVariable('server', 'Server', 'label_values(bbb_api_up, server)'))
    .withRow(row('Meetings'))
    .withPanel(
      timeseriesPanel({
        title: 'Meetings per server',
        description: 'Meetings running on each server, as its bigbluebutton-exporter reads them from the BigBlueButton API.',
        queries: [query(`sum by (server) (server:bbb_meetings:sum{${SERVER}})`, '{{server}}')],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Participants per server',
        description: 'Participants of the meetings of each server.',
        queries: [query(`sum by (server) (server:bbb_meetings_participants:sum{${SERVER}})`, '{{server}}')],
      }),
    )
    .withRow(row('Scalelite'))
    .withPanel(
      stateTimelinePanel(
        {
          title: 'API up and online in Scalelite',
          description:
            "Whether each server's BigBlueButton API answers its exporter, and whether Scalelite counts it online (Scalelite polls it itself).",
          queries: [
            query(`max by (server) (bbb_api_up{${SERVER}})`, '{{server}} API'),
            query(`max by (server) (meetscale_bbb_server_online{${SERVER}})`, '{{server}} Scalelite'),
          ],
        },
        [binaryMapping('up', 'green', 'down', 'red')],
      ),
    )
    .withPanel(
      scaleliteStatePanel({
        title: 'Scalelite state',
        description:
          'The state of each server in Scalelite: enabled (takes new meetings), cordoned (keeps its meetings, takes no new one) or disabled.',
        queries: [query(`max by (server, state) (meetscale_bbb_server_state{${SERVER}})`, '{{server}} {{state}}')],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Scalelite load',
        description: 'The load Scalelite assigns each server to choose where a new meeting goes (the least loaded takes it).',
        queries: [query(`max by (server) (meetscale_bbb_server_load{${SERVER}})`, '{{server}}')],
      }),
    )
    .withPanel(
      statPanel({
        title: 'Servers by Scalelite state',
        description: 'How many of the selected servers Scalelite holds in each state.',
        queries: [query(`sum by (state) (meetscale_bbb_server_state{${SERVER}})`, '{{state}}')],
      }),
    )
    .withRow(row('Host'))
    .withPanel(
      timeseriesPanel({
        title: 'Load average',
        description: "Each server's 1-minute load average (node-exporter).",
        queries: [query(`max by (server) (node_load1{${NODE}})`, '{{server}}')],
        width: 8,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'CPU used',
        description: "Share of each server's CPU time not idle (node-exporter).",
        queries: [query(`1 - avg by (server) (rate(node_cpu_seconds_total{${NODE}, mode="idle"}[$__rate_interval]))`, '{{server}}')],
        unit: 'percentunit',
        width: 8,
      }).max(1),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Memory used',
        description: "Share of each server's memory not available to new processes (node-exporter).",
        queries: [
          query(
            `1 - sum by (server) (node_memory_MemAvailable_bytes{${NODE}}) / sum by (server) (node_memory_MemTotal_bytes{${NODE}})`,
            '{{server}}',
          ),
        ],
        unit: 'percentunit',
        width: 8,
      }).max(1),
    )
    .withRow(row('Recordings'))
    .withPanel(
      timeseriesPanel({
        title: 'Recordings waiting',
        description: 'Recordings of each server being processed, and those not processed yet: a server cannot be stopped while it has any.',
        queries: [
          query(`sum by (server) (bbb_recordings_processing{${SERVER}})`, 'processing {{server}}'),
          query(`sum by (server) (bbb_recordings_unprocessed{${SERVER}})`, 'unprocessed {{server}}'),
        ],
      }),
    )
    .withPanel(
      statPanel({
        title: 'Recordings published',
        description: 'Recordings published on each server.',
        queries: [query(`sum by (server) (bbb_recordings_published{${SERVER}})`, '{{server}}')],
      }),
    );
  return toModel(builder);
}

/** A state timeline of the 0/1 series `<server> <state>`: each row in its state's colour while it holds. */
function scaleliteStatePanel(spec: PanelSpec): statetimeline.PanelBuilder {
  let panel = stateTimelinePanel(spec, [binaryMapping('yes', 'green', 'no', 'transparent')]);
  for (const [state, color] of SCALELITE_STATES)
    panel = panel.overrideByRegexp(` ${state}$`, [{ id: 'mappings', value: [binaryMapping(state, color, '', 'transparent')] }]);
  return panel;
}
