import {
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

/** The series of the selected namespaces' HAProxy. */
const NS = 'namespace=~"$namespace"';

/** The servers of the backend of the shards (the haproxy chart's `haproxy.cfg`): one per shard. */
const SHARDS = `${NS}, proxy="shards"`;

/** HAProxy in front of the shards: the rooms it sends to each shard, its entry point's traffic and errors, its health. */
export function haproxyDashboard(): DashboardModel {
  const builder = meetscaleDashboard('meetscale-haproxy', 'meetscale / HAProxy', ['haproxy'])
    .description('HAProxy, the meeting entry point: sessions per shard, requests, 5xx, shard health and the room stick table.')
    .withVariable(labelVariable('namespace', 'Namespace', 'label_values(haproxy_frontend_current_sessions, namespace)'))
    .withRow(row('Shards'))
    .withPanel(
      timeseriesPanel({
        title: 'Sessions per shard',
        description: [
          'Sessions HAProxy holds open to each shard (every HAProxy replica summed): the rooms a shard serves show here as its',
          "participants' connections, since the stick table keeps each room on one shard.",
        ].join(' '),
        queries: [
          query(`sum by (server) (haproxy_server_current_sessions{${SHARDS}})`, '{{server}}'),
          query(`sum by (proxy) (backend:haproxy_backend_current_sessions:sum{${SHARDS}})`, 'all shards'),
        ],
      }),
    )
    .withPanel(
      stateTimelinePanel(
        {
          title: 'Shards up',
          description: 'Whether HAProxy counts each shard UP (in at least one replica); otherwise it is DOWN, in maintenance or draining.',
          queries: [
            query(
              `max by (server) (haproxy_server_status{${SHARDS}, state="UP"}) or max by (server) (haproxy_server_status{${SHARDS}}) * 0`,
              '{{server}}',
            ),
          ],
        },
        [binaryMapping('UP', 'green', 'not UP', 'red')],
      ),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Shards by state',
        description: 'How many shard servers are in each state (UP, DOWN, MAINT, DRAIN, NOLB…), the replicas of HAProxy taken together.',
        queries: [query(`sum by (state) (max by (server, state) (haproxy_server_status{${SHARDS}}))`, '{{state}}')],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Stick table used',
        description:
          'Share of the room stick table in use, on the fullest HAProxy replica; when it is full, new rooms may land on another shard than their participants.',
        queries: [query(`max by (name) (haproxy_sticktable_used{${NS}} / haproxy_sticktable_size{${NS}})`, '{{name}}')],
        unit: 'percentunit',
      }).max(1),
    )
    .withRow(row('Entry point'))
    .withPanel(
      statPanel({
        title: '5xx ratio',
        description: 'Share of the requests to the meeting entry point answered with 5xx, over the last 5 minutes and the last hour.',
        queries: [
          query('max(entrypoint:haproxy_http_5xx:ratio_rate5m)', '5 min'),
          query('max(entrypoint:haproxy_http_5xx:ratio_rate1h)', '1 h'),
        ],
        unit: 'percentunit',
        width: 6,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Frontend sessions',
        description: 'Sessions open on each frontend, every HAProxy replica summed.',
        queries: [query(`sum by (proxy) (haproxy_frontend_current_sessions{${NS}})`, '{{proxy}}')],
        width: 9,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Request rate',
        description: 'HTTP requests per second on each frontend, every HAProxy replica summed.',
        queries: [query(`sum by (proxy) (rate(haproxy_frontend_http_requests_total{${NS}}[$__rate_interval]))`, '{{proxy}}')],
        unit: 'reqps',
        width: 9,
      }),
    );
  return toModel(builder);
}
