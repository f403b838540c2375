import {
  cadvisorMetrics,
  cataloguedSeries,
  coturnMetrics,
  exposedMetrics,
  goClientMetrics,
  jicocoMetrics,
  kubeStateMetrics,
  METRIC_CATALOG,
  nodeExporterDefaultFiles,
  nodeExporterMetrics,
  prometheusSynthesized,
  pythonClientMetrics,
  simpleclientSeries,
  uncataloguedSeries,
  withServedFamilies,
} from '../src';

describe('jicocoMetrics', () => {
  const kotlin = `
    val packets = VideobridgeMetricsContainer.instance.registerCounter(
        "packets_received",
        "Number of RTP packets received."
    )
    val bytes = metricsContainer.registerCounter("bytes_sent_total", "Bytes sent.")
    val stress = metricsContainer.registerDoubleGauge("stress", "Current stress (between 0 and 1).")
    val endpoints = metricsContainer.registerLongGauge(
        "current_endpoints", "Endpoints.")
    val healthy = metricsContainer.registerBooleanMetric("healthy", "Health.")
    val sizes = metricsContainer.registerHistogram("conferences_by_size", "Sizes.", 0.0, 1.0)
    val region = metricsContainer.registerInfo(ColibriStatsExtension.REGION, "Region.")
    val dynamic = metricsContainer.registerCounter("\${name}_unknown_delay", "Computed.")
  `;

  test('lists each literal registration with its type and the series Prometheus serves', () => {
    const { metrics } = jicocoMetrics(kotlin, 'jitsi_jvb', 'Example.kt');
    expect(metrics.map((metric) => [metric.name, metric.type, metric.series])).toEqual([
      ['jitsi_jvb_packets_received', 'counter', ['jitsi_jvb_packets_received_total', 'jitsi_jvb_packets_received_created']],
      ['jitsi_jvb_bytes_sent_total', 'counter', ['jitsi_jvb_bytes_sent_total', 'jitsi_jvb_bytes_sent_created']],
      ['jitsi_jvb_stress', 'gauge', ['jitsi_jvb_stress']],
      ['jitsi_jvb_current_endpoints', 'gauge', ['jitsi_jvb_current_endpoints']],
      ['jitsi_jvb_healthy', 'gauge', ['jitsi_jvb_healthy']],
      [
        'jitsi_jvb_conferences_by_size',
        'histogram',
        [
          'jitsi_jvb_conferences_by_size_bucket',
          'jitsi_jvb_conferences_by_size_sum',
          'jitsi_jvb_conferences_by_size_count',
          'jitsi_jvb_conferences_by_size_created',
        ],
      ],
    ]);
    expect(metrics.every((metric) => metric.source === 'Example.kt')).toBe(true);
  });

  test('leaves out registrations whose name is computed, and says so', () => {
    expect(jicocoMetrics(kotlin, 'jitsi_jvb', 'Example.kt').unnamed).toEqual([
      { source: 'Example.kt', call: 'registerInfo(ColibriStatsExtension.REGION' },
      { source: 'Example.kt', call: 'registerCounter("${name}_unknown_delay"' },
    ]);
  });

  test('an info metric is served with the _info suffix', () => {
    expect(simpleclientSeries('jitsi_jvb_version', 'info')).toEqual(['jitsi_jvb_version_info']);
  });
});

describe('cadvisorMetrics', () => {
  test('reads each declaration with the value type that follows it, and the NewDesc gauges', () => {
    const go = `
      {
        name:        "container_tasks_state",
        help:        "Number of tasks in given state",
        extraLabels: []string{"state"},
        valueType:   prometheus.GaugeValue,
      }, {
        name:        "container_network_transmit_bytes_total",
        extraLabels: []string{"interface"},
        valueType:   prometheus.CounterValue,
      },
      startTimeDesc = prometheus.NewDesc("container_start_time_seconds", "Start time.", nil, nil)
    `;
    expect(cadvisorMetrics(go, 'metrics/prometheus.go').map((metric) => [metric.name, metric.type, metric.series])).toEqual([
      ['container_tasks_state', 'gauge', ['container_tasks_state']],
      ['container_network_transmit_bytes_total', 'counter', ['container_network_transmit_bytes_total']],
      ['container_start_time_seconds', 'gauge', ['container_start_time_seconds']],
    ]);
  });
});

describe('kubeStateMetrics', () => {
  test('reads each family generator, named by a literal or by a constant of the file', () => {
    const go = `
      var (
        descHorizontalPodAutoscalerLabelsName = "kube_horizontalpodautoscaler_labels"
      )
      func hpaMetricFamilies() []generator.FamilyGenerator {
        return []generator.FamilyGenerator{
          *generator.NewFamilyGeneratorWithStability(
            "kube_horizontalpodautoscaler_spec_max_replicas",
            "Upper limit for the number of pods that can be set by the autoscaler; cannot be \\"smaller\\".",
            metric.Gauge,
            basemetrics.STABLE,
          ),
          *generator.NewFamilyGeneratorWithStability(
            descHorizontalPodAutoscalerLabelsName,
            descHorizontalPodAutoscalerLabelsHelp,
            metric.Gauge,
          ),
          *generator.NewFamilyGenerator("kube_pod_restarts_total", "Restarts.", metric.Counter, ""),
        }
      }`;
    expect(kubeStateMetrics(go, 'internal/store/hpa.go').map((metric) => [metric.name, metric.type])).toEqual([
      ['kube_horizontalpodautoscaler_spec_max_replicas', 'gauge'],
      ['kube_horizontalpodautoscaler_labels', 'gauge'],
      ['kube_pod_restarts_total', 'counter'],
    ]);
  });
});

describe('goClientMetrics', () => {
  test('joins namespace, subsystem and name of each client_golang metric, and reads the NewDesc gauges', () => {
    const go = `
      const (
        namespace = "certmanager"
      )
      acmeClientRequestCount = prometheus.NewCounterVec(
        //nolint:promlinter
        prometheus.CounterOpts{
          Namespace: namespace,
          Name:      "acme_client_request_count",
          Help:      "Total number of outbound ACME HTTP requests.",
          Subsystem: "http",
        },
        []string{"scheme"},
      )
      syncLatency = prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Name: "sync_seconds", Help: "Latency."})
      requestDuration = prometheus.NewSummaryVec(prometheus.SummaryOpts{Namespace: namespace, Name: "request_seconds"}, nil)
      expiry = prometheus.NewDesc("certmanager_certificate_expiration_timestamp_seconds", "Expiry.", nil, nil)
    `;
    expect(goClientMetrics(go, 'pkg/metrics/metrics.go').map((metric) => [metric.name, metric.type, metric.series])).toEqual([
      ['certmanager_http_acme_client_request_count', 'counter', ['certmanager_http_acme_client_request_count']],
      [
        'certmanager_sync_seconds',
        'histogram',
        ['certmanager_sync_seconds_bucket', 'certmanager_sync_seconds_sum', 'certmanager_sync_seconds_count'],
      ],
      [
        'certmanager_request_seconds',
        'summary',
        ['certmanager_request_seconds', 'certmanager_request_seconds_sum', 'certmanager_request_seconds_count'],
      ],
      ['certmanager_certificate_expiration_timestamp_seconds', 'gauge', ['certmanager_certificate_expiration_timestamp_seconds']],
    ]);
  });
});

describe('prometheusSynthesized', () => {
  test("reads the scrape's own samples and the alert series", () => {
    const scrape =
      'var x = []sample{{\n\t\tname: []byte("up" + "\\xff"),\n\t}, {\n\t\tname: []byte("scrape_duration_seconds" + "\\xff"),\n\t}}';
    const alerting = 'const (\n\talertMetricName = "ALERTS"\n\talertForStateMetricName = "ALERTS_FOR_STATE"\n)';
    expect(prometheusSynthesized(scrape, alerting).map((metric) => [metric.name, metric.source])).toEqual([
      ['up', 'scrape/scrape.go'],
      ['scrape_duration_seconds', 'scrape/scrape.go'],
      ['ALERTS', 'rules/alerting.go'],
      ['ALERTS_FOR_STATE', 'rules/alerting.go'],
    ]);
  });
});

describe('coturnMetrics', () => {
  test("reads the counters and gauges registered with coturn's Prometheus library", () => {
    const c = `
      turn_total_allocations = prom_collector_registry_must_register_metric(
          prom_gauge_new("turn_total_allocations", "Represents current allocations number", 1, typeLabel));
      turn_unauthenticated_401_requests = prom_collector_registry_must_register_metric(prom_counter_new(
          "turn_unauthenticated_401_requests", "UDP 401 Unauthorized requests received", 0, NULL));
    `;
    expect(coturnMetrics(c, 'src/apps/relay/prom_server.c').map((metric) => [metric.name, metric.type])).toEqual([
      ['turn_total_allocations', 'gauge'],
      ['turn_unauthenticated_401_requests', 'counter'],
    ]);
  });
});

describe('nodeExporterDefaultFiles', () => {
  test('keeps the files of collectors enabled by default, and of no collector', () => {
    // GIVEN collector files, some registering a collector and some belonging to one by their name
    const files = new Map([
      ['collector/collector.go', 'const namespace = "node"'],
      ['collector/cpu_common.go', 'const (\n\tcpuCollectorSubsystem = "cpu"\n)'],
      ['collector/cpu_linux.go', 'func init() {\n\tregisterCollector("cpu", defaultEnabled, NewCPUCollector)\n}'],
      ['collector/cpu_vulnerabilities_linux.go', 'registerCollector(cpuVulnerabilitiesCollectorSubsystem, defaultDisabled, NewX)'],
      ['collector/interrupts_common.go', 'registerCollector("interrupts", defaultDisabled, NewInterruptsCollector)'],
      ['collector/interrupts_linux.go', 'func (c *interruptsCollector) Update() {}'],
      ['collector/netclass_linux.go', 'registerCollector("netclass", defaultEnabled, NewNetClassCollector)'],
      ['collector/netclass_rtnl_linux.go', 'func (c *netClassCollector) netClassRTNLUpdate() {}'],
      ['collector/perf_linux.go', 'registerCollector(perfSubsystem, defaultDisabled, NewPerfCollector)'],
    ]);
    // THEN the disabled collectors' files are left out, a registering constant as much as a literal
    expect(nodeExporterDefaultFiles(files)).toEqual([
      'collector/collector.go',
      'collector/cpu_common.go',
      'collector/cpu_linux.go',
      'collector/netclass_linux.go',
      'collector/netclass_rtnl_linux.go',
    ]);
  });
});

describe('nodeExporterMetrics', () => {
  const files = new Map([
    ['collector/cpu_common.go', 'const (\n\tcpuCollectorSubsystem = "cpu"\n)'],
    [
      'collector/cpu_linux.go',
      `c := &cpuCollector{
        cpu: typedDesc{prometheus.NewDesc(
          prometheus.BuildFQName(namespace, cpuCollectorSubsystem, "seconds_total"),
          "Seconds the CPUs spent in each mode.",
          []string{"cpu", "mode"}, nil,
        ), prometheus.CounterValue},
      }`,
    ],
    ['collector/stat_linux.go', 'prometheus.NewDesc(prometheus.BuildFQName(namespace, "", "boot_time_seconds"), "Boot time.", nil, nil)'],
    ['collector/loadavg.go', '{prometheus.NewDesc(namespace+"_load1", "1m load average.", nil, nil), prometheus.GaugeValue},'],
    [
      'collector/netclass_linux.go',
      `return &netClassCollector{
        subsystem: "network",
      }
      upDesc := prometheus.NewDesc(
        prometheus.BuildFQName(namespace, c.subsystem, "up"),
        "Value is 1 if operstate is 'up', 0 otherwise.",
        []string{"device"}, nil,
      )`,
    ],
    [
      'collector/meminfo.go',
      `const (
        memInfoSubsystem = "memory"
      )
      prometheus.NewDesc(
        prometheus.BuildFQName(namespace, memInfoSubsystem, k),
        fmt.Sprintf("Memory information field %s.", k), nil, nil,
      )`,
    ],
    [
      'collector/hwmon_linux.go',
      `desc := prometheus.NewDesc("node_hwmon_sensor_label", "Label for given chip and sensor", labels, nil)
      desc = prometheus.NewDesc(name+"_celsius", "Hardware monitor for temperature", labels, nil)`,
    ],
  ]);

  test('names each metric a collector builds from literals and constants, a counter by its _total', () => {
    expect(nodeExporterMetrics(files).metrics.map((metric) => [metric.name, metric.type, metric.series, metric.source])).toEqual([
      ['node_cpu_seconds_total', 'counter', ['node_cpu_seconds_total'], 'collector/cpu_linux.go'],
      ['node_boot_time_seconds', 'gauge', ['node_boot_time_seconds'], 'collector/stat_linux.go'],
      ['node_load1', 'gauge', ['node_load1'], 'collector/loadavg.go'],
      ['node_network_up', 'gauge', ['node_network_up'], 'collector/netclass_linux.go'],
      ['node_hwmon_sensor_label', 'gauge', ['node_hwmon_sensor_label'], 'collector/hwmon_linux.go'],
    ]);
  });

  test('leaves out names computed at run time, and says so', () => {
    expect(nodeExporterMetrics(files).unnamed).toEqual([
      { source: 'collector/meminfo.go', call: 'BuildFQName(namespace, memInfoSubsystem, k' },
      { source: 'collector/hwmon_linux.go', call: 'NewDesc(name+"_celsius"' },
    ]);
  });
});

describe('withServedFamilies', () => {
  test('takes the served type of a declared metric, and adds the served families no source names', () => {
    // GIVEN names read from the sources, and a scrape of the program
    const declared = nodeExporterMetrics(new Map([['collector/loadavg.go', 'prometheus.NewDesc(namespace+"_load1", "Load.", nil, nil)']]));
    const scrape = [
      '# TYPE node_load1 gauge',
      'node_load1 0.5',
      '# TYPE node_memory_MemAvailable_bytes gauge',
      'node_memory_MemAvailable_bytes 1.2e+09',
      '# TYPE node_vmstat_pgfault untyped',
      'node_vmstat_pgfault 42',
    ].join('\n');
    // THEN the catalog holds both, each declared name with its source file
    expect(
      withServedFamilies(declared.metrics, exposedMetrics(scrape, '/metrics')).map((metric) => [metric.name, metric.type, metric.source]),
    ).toEqual([
      ['node_load1', 'gauge', 'collector/loadavg.go'],
      ['node_memory_MemAvailable_bytes', 'gauge', '/metrics'],
      ['node_vmstat_pgfault', 'gauge', '/metrics'],
    ]);
  });
});

describe('pythonClientMetrics', () => {
  const python = `
from collections import Counter
from prometheus_client.metrics_core import GaugeMetricFamily, HistogramMetricFamily, GaugeHistogramMetricFamily, \\
    CounterMetricFamily
from prometheus_client import Histogram, Counter as _Counter

class Collector:
    def collect(self):
        up = GaugeMetricFamily('bbb_api_up', "1 if the API is responding")
        latency = HistogramMetricFamily('bbb_api_latency', "API call latency", labels=['endpoint'])
        rooms = GaugeHistogramMetricFamily('bbb_room_participants', "Room participants histogram gauge")
        unique = CounterMetricFamily("bbb_unique_meetings_total", "Unique meetings counter")
        dynamic = GaugeMetricFamily(name, "Computed.")
        clients = Counter(attendees)

scrape_seconds = Histogram('exporter_scrape_seconds', 'Scrape duration.')
`;

  test('lists each family and instrument with the series prometheus_client serves', () => {
    expect(
      pythonClientMetrics(python, 'bbb-exporter/collector.py').metrics.map((metric) => [metric.name, metric.type, metric.series]),
    ).toEqual([
      ['bbb_api_up', 'gauge', ['bbb_api_up']],
      ['bbb_api_latency', 'histogram', ['bbb_api_latency_bucket', 'bbb_api_latency_count', 'bbb_api_latency_sum']],
      [
        'bbb_room_participants',
        'histogram',
        ['bbb_room_participants_bucket', 'bbb_room_participants_gcount', 'bbb_room_participants_gsum'],
      ],
      ['bbb_unique_meetings', 'counter', ['bbb_unique_meetings_total']],
      [
        'exporter_scrape_seconds',
        'histogram',
        [
          'exporter_scrape_seconds_bucket',
          'exporter_scrape_seconds_count',
          'exporter_scrape_seconds_sum',
          'exporter_scrape_seconds_created',
        ],
      ],
    ]);
  });

  test("leaves out a family with a computed name, and says so, and no Counter but prometheus_client's is a metric", () => {
    expect(pythonClientMetrics(python, 'bbb-exporter/collector.py').unnamed).toEqual([
      { source: 'bbb-exporter/collector.py', call: 'GaugeMetricFamily(name' },
    ]);
  });
});

describe('exposedMetrics', () => {
  test('reads the families a scrape declares, with their types', () => {
    const scrape = [
      '# HELP haproxy_server_status Current status of the server.',
      '# TYPE haproxy_server_status gauge',
      'haproxy_server_status{proxy="shards",server="shard-0",state="UP"} 1',
      '# TYPE haproxy_backend_http_responses_total counter',
      'haproxy_backend_http_responses_total{proxy="shards",code="5xx"} 0',
      '# TYPE request_seconds histogram',
      '# TYPE odd untyped',
    ].join('\n');
    expect(exposedMetrics(scrape, '/metrics').map((metric) => [metric.name, metric.type, metric.series])).toEqual([
      ['haproxy_server_status', 'gauge', ['haproxy_server_status']],
      ['haproxy_backend_http_responses_total', 'counter', ['haproxy_backend_http_responses_total']],
      ['request_seconds', 'histogram', ['request_seconds_bucket', 'request_seconds_sum', 'request_seconds_count']],
      ['odd', 'gauge', ['odd']],
    ]);
  });
});

describe('the committed catalog', () => {
  test("holds the bridge load and transmit series the autoscaler reads, jicofo's bridge counts, and no name twice", () => {
    expect(cataloguedSeries().get('jitsi_jvb_stress')).toBe('jitsi-videobridge');
    expect(cataloguedSeries().get('container_network_transmit_bytes_total')).toBe('cadvisor');
    // what an alert on a shard without an operational bridge reads
    expect(cataloguedSeries().get('jitsi_jicofo_bridge_selector_bridge_count_operational')).toBe('jicofo');
    // what alerts on a full stick table and a shard backend down read
    expect(cataloguedSeries().get('haproxy_sticktable_used')).toBe('haproxy');
    expect(cataloguedSeries().get('haproxy_server_status')).toBe('haproxy');
    // what an alert on bridges at the autoscaler's maximum reads
    expect(cataloguedSeries().get('kube_horizontalpodautoscaler_spec_max_replicas')).toBe('kube-state-metrics');
    // what an alert on an expiring certificate reads
    expect(cataloguedSeries().get('certmanager_certificate_expiration_timestamp_seconds')).toBe('cert-manager');
    // what an alert on a component down reads: Prometheus' own scrape health
    expect(cataloguedSeries().get('up')).toBe('prometheus');
    expect(cataloguedSeries().get('turn_total_allocations')).toBe('coturn');
    // what alerts and dashboards on the BigBlueButton VMs read
    for (const name of [
      'node_cpu_seconds_total',
      'node_load1',
      'node_load5',
      'node_load15',
      'node_memory_MemAvailable_bytes',
      'node_memory_MemTotal_bytes',
      'node_filesystem_avail_bytes',
      'node_filesystem_size_bytes',
      'node_network_receive_bytes_total',
      'node_network_transmit_bytes_total',
      'node_boot_time_seconds',
      'node_uname_info',
    ])
      expect([name, cataloguedSeries().get(name)]).toEqual([name, 'node-exporter']);
    for (const name of [
      'bbb_api_up',
      'bbb_meetings',
      'bbb_meetings_participants',
      'bbb_recordings_processing',
      'bbb_unique_meetings_total',
    ])
      expect([name, cataloguedSeries().get(name)]).toEqual([name, 'bigbluebutton-exporter']);
    for (const catalog of Object.values(METRIC_CATALOG)) {
      const names = catalog.metrics.map((metric) => metric.name);
      expect(names.length).toBeGreaterThan(5);
      expect(new Set(names).size).toBe(names.length);
    }
  });

  test('names what no component serves', () => {
    expect(uncataloguedSeries(['jitsi_jvb_stress', 'jitsi_jvb_stress_total', 'jvb_stress', 'jitsi_jvb_stress'])).toEqual([
      'jitsi_jvb_stress_total',
      'jvb_stress',
    ]);
  });
});
