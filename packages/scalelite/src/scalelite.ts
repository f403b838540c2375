import { join } from 'node:path';

import {
  and,
  ComponentService,
  concatLists,
  each,
  type HelmChart,
  type HelmValue,
  isEmpty,
  joined,
  json,
  type ListPartValue,
  listWhen,
  Manifest,
  mapWith,
  not,
  omitIfEmpty,
  or,
  orDefault,
  readChartText,
  ServiceHttpRoute,
  ServiceIngress,
  str,
  ternary,
  Workload,
} from '@meetscale/chart-toolkit';
import { Construct } from 'constructs';
import type { Job } from 'kubernetes-types/batch/v1';
import type { ConfigMap, EnvFromSource, PersistentVolumeClaim, Secret, Service, Volume, VolumeMount } from 'kubernetes-types/core/v1';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1';

import { API_PORT, NGINX_PORT, nginxConfig } from './nginx-config';
import type { ScaleliteValues } from './values';

/** Settings of the Scalelite construct. */
export interface ScaleliteProps {
  /** The chart whose values and release names the construct reads. */
  readonly chart: HelmChart<ScaleliteValues>;
}

/** Where the chart's own files (the run script, nginx's configuration, the server list) are mounted. */
export const CHART_FILES_DIR = '/scalelite-chart';

/** The recordings share's mount point, as Scalelite's defaults (`RECORDING_*_DIR`) expect it. */
export const RECORDINGS_DIR = '/var/bigbluebutton';

/** The folders of the recordings share (`docs/sharedvolume-README.md` at v1.8.5). */
export const RECORDINGS_LAYOUT = ['spool', 'recording', 'published', 'unpublished'] as const;

/** Keys of the Secret the chart generates. */
export const GENERATED_KEYS = { loadBalancerSecret: 'loadbalancer-secret', secretKeyBase: 'secret-key-base' } as const;

/** The components, in names, labels and selectors. */
export const COMPONENTS = { api: 'api', poller: 'poller', importer: 'importer' } as const;

const chartFile = (name: string): string => readChartText(join(__dirname, '..', 'files', name));

/**
 * Scalelite on Kubernetes: the API (replicated, each pod with nginx beside it, as upstream requires: nginx proxies to
 * the API and serves the recordings it redirects to), the poller and the recording importer (one each; the importer
 * never two at once), the database migration as a Job before install and upgrade, the declared servers applied with
 * `servers:sync` after them, the recordings claim, a public Service for nginx with its Ingress or HTTPRoute (the
 * BigBlueButton API and playback only) and a cluster-internal Service for the admin API.
 */
export class Scalelite extends Construct {
  public constructor(scope: Construct, id: string, props: ScaleliteProps) {
    super(scope, id);
    const { chart } = props;
    const v = chart.values;
    const c = chart as HelmChart<unknown>;
    const fullname = String(chart.fullname);
    // one folder of templates per part: shared configuration, each component, the hook Jobs
    const config = new Construct(scope, 'config');
    const apiScope = new Construct(scope, COMPONENTS.api);
    const jobs = new Construct(scope, 'jobs');

    const settings = new Manifest<ConfigMap>(config, 'settings', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: String(chart.componentName('settings')), labels: chart.standardLabels('settings') },
      data: mapWith(settingsOf(chart), v.extraConfig),
    });
    const generated = new Manifest<Secret>(config, 'secret', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: fullname, labels: chart.standardLabels('secret') },
      type: 'Opaque',
      data: {
        [GENERATED_KEYS.loadBalancerSecret]: String(chart.generatedSecretValue('secret', GENERATED_KEYS.loadBalancerSecret, true)),
        [GENERATED_KEYS.secretKeyBase]: String(chart.generatedSecretValue('secret', GENERATED_KEYS.secretKeyBase, true)),
      },
    });
    chart.renderWhen(generated, or(isEmpty(v.loadBalancerSecret.existingSecret), isEmpty(v.secretKeyBase.existingSecret)));
    const files = new Manifest<ConfigMap>(config, 'files', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: String(chart.componentName('files')), labels: chart.standardLabels('files') },
      data: {
        'run.sh': chartFile('run.sh'),
        'nginx.conf': chart.defineText('nginx-config', nginxConfig(chart)),
        'servers-sync.rb': chartFile('servers-sync.rb'),
        'servers.yaml': chart.defineText('server-list', serverList(chart)),
      },
    });
    const checksums = { 'checksum/settings': chart.checksumOf(settings), 'checksum/files': chart.checksumOf(files) };

    const recordingsClaim = new Manifest<PersistentVolumeClaim>(config, 'recordings', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: String(chart.componentName('recordings')),
        labels: chart.standardLabels('recordings'),
        // the recordings outlive the release
        annotations: { 'helm.sh/resource-policy': 'keep' },
      },
      spec: {
        accessModes: ['ReadWriteMany'],
        resources: { requests: { storage: v.recordings.size } },
      },
    });
    // The chart's claim while recordings are on without an existingClaim, and once created for as long as the release
    // lives: a release that moves to an existing claim or turns recordings off keeps its own (unused) rather than
    // dropping it (Helm 3 could not take a dropped, kept claim back: the cluster has bound it, and a claim's spec
    // cannot change). Its recordings stay until the claim is deleted by hand.
    const claimExists = not(
      isEmpty(chart.liveValue('v1', 'PersistentVolumeClaim', chart.componentName('recordings'), ['metadata', 'name'])),
    );
    chart.renderWhen(recordingsClaim, or(and(v.recordings.enabled, isEmpty(v.recordings.existingClaim)), claimExists));

    const env = railsEnv(chart, fullname);
    const envFrom: EnvFromSource[] = [{ configMapRef: { name: String(chart.componentName('settings')) } }];
    const rails = railsVolumes(chart);
    const recordings = listWhen(v.recordings.enabled, [
      {
        name: 'recordings',
        persistentVolumeClaim: { claimName: String(orDefault(v.recordings.existingClaim, String(chart.componentName('recordings')))) },
      },
    ]);
    /** The recordings share's folders at Scalelite's paths. */
    const recordingMounts = (folders: readonly string[], readOnly = false) =>
      listWhen(
        v.recordings.enabled,
        folders.map((folder) => ({
          name: 'recordings',
          mountPath: `${RECORDINGS_DIR}/${folder}`,
          subPath: folder,
          ...(readOnly ? { readOnly } : {}),
        })),
      );
    const run = `${CHART_FILES_DIR}/run.sh`;

    new Workload(apiScope, COMPONENTS.api, {
      chart: c,
      component: COMPONENTS.api,
      values: v.api,
      replicas: v.api.replicaCount,
      deployment: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } },
      checksums,
      container: {
        // puma itself: the migration is the Job's, not each replica's (upstream's bin/start migrates first)
        command: [run, 'tini', '--', 'bundle', 'exec', 'puma', '-C', 'config/puma.rb'],
        ports: [{ name: COMPONENTS.api, containerPort: API_PORT, protocol: 'TCP' }],
        env,
        envFrom,
        // publishRecordings and deleteRecordings move and remove what the importer published
        volumeMounts: concatLists(rails.mounts, recordingMounts(['published', 'unpublished'])),
      },
      sidecars: [
        {
          name: 'nginx',
          image: c.image(v.api.nginx.image),
          imagePullPolicy: v.api.nginx.image.pullPolicy,
          // the chart's configuration: on an unprivileged port, proxying to the API on localhost
          command: ['nginx', '-e', 'stderr', '-c', `${CHART_FILES_DIR}/nginx.conf`, '-g', 'daemon off;'],
          ports: [{ name: 'http', containerPort: NGINX_PORT, protocol: 'TCP' }],
          resources: v.api.nginx.resources,
          securityContext: v.api.containerSecurityContext,
          readinessProbe: { httpGet: { path: '/health_check', port: 'http' }, periodSeconds: 10 },
          volumeMounts: concatLists(
            [
              { name: 'chart-files', mountPath: CHART_FILES_DIR, readOnly: true },
              { name: 'tmp', mountPath: '/tmp' },
            ],
            // the players are in the image's /var/bigbluebutton/playback: only what nginx serves is mounted
            recordingMounts(['published'], true),
          ),
        },
      ],
      volumes: concatLists(rails.volumes, recordings),
    });

    new Workload(new Construct(scope, COMPONENTS.poller), COMPONENTS.poller, {
      chart: c,
      component: COMPONENTS.poller,
      values: v.poller,
      replicas: 1,
      // one poller at a time: two would poll every server twice
      deployment: { strategy: { type: 'Recreate' } },
      checksums,
      container: { command: [run, 'bin/start-poller'], env, envFrom, volumeMounts: rails.mounts },
      volumes: rails.volumes,
    });

    new Workload(new Construct(scope, COMPONENTS.importer), COMPONENTS.importer, {
      chart: c,
      component: COMPONENTS.importer,
      values: v.importer,
      enabled: v.recordings.enabled,
      replicas: 1,
      // exactly one importer: a rollout stops the old pod before it starts the new one
      deployment: { strategy: { type: 'Recreate' } },
      checksums,
      container: {
        command: [run, '--recordings-layout', 'bin/start-recording-importer'],
        env,
        envFrom,
        volumeMounts: concatLists(rails.mounts, [{ name: 'recordings', mountPath: RECORDINGS_DIR }]),
      },
      // it finishes the recording it is importing before it exits (`recordings:watch` traps SIGTERM)
      spec: { terminationGracePeriodSeconds: 120 },
      volumes: concatLists(rails.volumes, recordings),
    });

    // The migration before the API starts (install) or changes (upgrade); the server sync once it runs.
    // The migration runs before the release's objects exist (pre-install): it reads only the user's Secrets, and
    // Rails' dummy key stands in for the generated one, which a migration does not use.
    const database = v.database;
    hookJob(jobs, chart, {
      component: 'migrate',
      hooks: 'pre-install,pre-upgrade',
      weight: 0,
      // creates the database if it is missing, loads the schema into an empty one, runs pending migrations
      command: ['bundle', 'exec', 'rake', 'db:prepare'],
      env: concatLists(
        [
          { name: 'DATABASE_URL', value: databaseUrl(chart) },
          { name: 'PGHOST', value: database.host },
          { name: 'PGPORT', value: str(database.port) },
          { name: 'PGUSER', value: database.user },
          { name: 'PGSSLMODE', value: database.sslMode },
          { name: 'RAILS_LOG_LEVEL', value: v.logLevel },
          { name: 'SECRET_KEY_BASE_DUMMY', value: '1' },
        ],
        listWhen(not(isEmpty(database.password.existingSecret)), [
          { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: database.password.existingSecret, key: database.password.key } } },
        ]),
      ),
      files: false,
    });
    const sync = hookJob(jobs, chart, {
      component: 'servers-sync',
      hooks: 'post-install,post-upgrade',
      weight: 0,
      command: [run, '--servers-sync'],
      files: true,
      env: concatLists(
        ...env,
        each(v.servers, (server, index) => ({
          name: `SERVER_SECRET_${String(index)}`,
          valueFrom: { secretKeyRef: { name: server.secret.existingSecret, key: server.secret.key } },
        })),
      ),
      envFrom,
    });
    chart.renderWhen(sync, not(isEmpty(v.servers)));

    new ComponentService(apiScope, 'public', { chart: c, component: COMPONENTS.api, name: fullname, values: v.service, portName: 'http' });
    new Manifest<Service>(apiScope, 'admin', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: String(chart.componentName('admin')), labels: chart.standardLabels('admin') },
      spec: {
        type: 'ClusterIP',
        selector: chart.selectorLabels(COMPONENTS.api),
        ports: [{ name: COMPONENTS.api, port: v.adminService.port, targetPort: COMPONENTS.api, protocol: 'TCP' }],
      },
    });
    new ServiceIngress(apiScope, 'ingress', {
      chart: c,
      values: v.ingress,
      name: fullname,
      labels: chart.standardLabels(COMPONENTS.api),
      serviceName: chart.fullname,
      servicePort: 'http',
    });
    new ServiceHttpRoute(apiScope, 'httproute', {
      chart: c,
      values: v.httpRoute,
      name: fullname,
      component: COMPONENTS.api,
      serviceName: chart.fullname,
      servicePort: v.service.port,
    });
    networkPolicies(new Construct(scope, 'network-policies'), chart);
  }
}

/** The settings every Scalelite container reads (the ConfigMap behind `envFrom`): nothing secret. */
function settingsOf(chart: HelmChart<ScaleliteValues>): Record<string, string | HelmValue<string>> {
  const v = chart.values;
  // `name=value,...` (Scalelite splits at commas and ignores the trailing one), a named template each
  const params = (name: string, list: typeof v.meetings.defaultCreateParams) =>
    chart.defineText(
      `meetings.${name}`,
      each(list, (param) => `${String(param.name)}=${String(param.value)},`),
    );
  const redis = v.redis;
  return {
    URL_HOST: v.urlHost,
    RAILS_LOG_LEVEL: v.logLevel,
    // the password is not in the URL: libpq takes it from PGPASSWORD
    // libpq's own variables: the URL names only the database (database.yml names one too); the password is
    // PGPASSWORD, from its Secret
    DATABASE_URL: databaseUrl(chart),
    PGHOST: v.database.host,
    PGPORT: str(v.database.port),
    PGUSER: v.database.user,
    PGSSLMODE: v.database.sslMode,
    // the run script puts the (URL-encoded) password in and exports REDIS_URL
    REDIS_URL_BASE: chart.defineText(
      'redis-url-base',
      `${ternary(redis.tls, 'rediss', 'redis')}://${redis.host}:${redis.port}/${redis.db}`,
    ),
    REDIS_USERNAME: redis.username,
    LOAD_MIN_USER_COUNT: str(v.load.minUserCount),
    LOAD_JOIN_BUFFER_TIME: str(v.load.joinBufferTime),
    POLL_INTERVAL: str(v.poll.interval),
    SERVER_HEALTHY_THRESHOLD: str(v.poll.healthyThreshold),
    SERVER_UNHEALTHY_THRESHOLD: str(v.poll.unhealthyThreshold),
    MAX_MEETING_DURATION: str(v.meetings.maxDuration),
    DEFAULT_CREATE_PARAMS: params('defaultCreateParams', v.meetings.defaultCreateParams),
    OVERRIDE_CREATE_PARAMS: params('overrideCreateParams', v.meetings.overrideCreateParams),
    DEFAULT_JOIN_PARAMS: params('defaultJoinParams', v.meetings.defaultJoinParams),
    OVERRIDE_JOIN_PARAMS: params('overrideJoinParams', v.meetings.overrideJoinParams),
    MULTITENANCY_ENABLED: str(v.multitenancy.enabled),
    RECORDING_DISABLED: str(not(v.recordings.enabled)),
    RECORDING_PLAYBACK_FORMATS: joined(v.recordings.playbackFormats, ':'),
    RECORDING_IMPORT_POLL_INTERVAL: str(v.recordings.importPollInterval),
    // a server's id is its host name, whether the sync or the admin API (the autoscaler) adds it
    SERVER_ID_IS_HOSTNAME: 'true',
  };
}

const DATABASE_URLS = new WeakMap<HelmChart<ScaleliteValues>, HelmValue<string>>();

/**
 * PostgreSQL's URL: the database alone; host, port, user, TLS and password reach libpq as its own variables
 * (`PGHOST`, ...), which the pg adapter leaves to it. A named template, defined once.
 */
function databaseUrl(chart: HelmChart<ScaleliteValues>): HelmValue<string> {
  const known = DATABASE_URLS.get(chart);
  if (known !== undefined) return known;
  const url = chart.defineText('database-url', `postgresql:///${chart.values.database.name}`);
  DATABASE_URLS.set(chart, url);
  return url;
}

/**
 * The environment from Secrets, as list parts: the load balancer secret, the Rails key, the database and Redis
 * passwords (each when given).
 */
function railsEnv(chart: HelmChart<ScaleliteValues>, fullname: string): ListPartValue[] {
  const v = chart.values;
  const secretRef = (ref: typeof v.loadBalancerSecret, generatedKey: string) => ({
    name: String(orDefault(ref.existingSecret, fullname)),
    key: String(ternary(isEmpty(ref.existingSecret), generatedKey, ref.key, 'string')),
  });
  return [
    [
      { name: 'LOADBALANCER_SECRET', valueFrom: { secretKeyRef: secretRef(v.loadBalancerSecret, GENERATED_KEYS.loadBalancerSecret) } },
      { name: 'SECRET_KEY_BASE', valueFrom: { secretKeyRef: secretRef(v.secretKeyBase, GENERATED_KEYS.secretKeyBase) } },
    ],
    listWhen(not(isEmpty(v.database.password.existingSecret)), [
      { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: v.database.password.existingSecret, key: v.database.password.key } } },
    ]),
    listWhen(not(isEmpty(v.redis.password.existingSecret)), [
      { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: v.redis.password.existingSecret, key: v.redis.password.key } } },
    ]),
  ];
}

/** The volumes and mounts of every Scalelite (Rails) container: the chart's files and the writable paths. */
function railsVolumes(chart: HelmChart<ScaleliteValues>): { volumes: Volume[]; mounts: VolumeMount[] } {
  return {
    volumes: [
      { name: 'chart-files', configMap: { name: String(chart.componentName('files')), defaultMode: 0o555 } },
      { name: 'tmp', emptyDir: {} },
      { name: 'rails-tmp', emptyDir: {} },
      { name: 'rails-log', emptyDir: {} },
    ],
    mounts: [
      { name: 'chart-files', mountPath: CHART_FILES_DIR, readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'rails-tmp', mountPath: '/srv/scalelite/tmp' },
      { name: 'rails-log', mountPath: '/srv/scalelite/log' },
    ],
  };
}

/**
 * The declared servers as the run script's `--servers-sync` reads them (`servers.yaml`): each server's URL (its
 * host is its id in Scalelite),
 * load multiplier, tag and whether it is enabled, and the environment variable holding its secret (the Job's
 * `SERVER_SECRET_<index>`, from the server's Secret). The script writes Scalelite's sync file from it.
 */
function serverList(chart: HelmChart<ScaleliteValues>): string {
  return `servers:
${each(
  chart.values.servers,
  (server, index) => `  - url: ${json(server.url)}
    secretEnv: SERVER_SECRET_${String(index)}
    loadMultiplier: ${String(server.loadMultiplier)}
    tag: ${json(server.tag)}
    enabled: ${String(server.enabled)}
`,
)}`;
}

interface HookJobProps {
  readonly component: string;
  /** `helm.sh/hook` events. */
  readonly hooks: string;
  readonly weight: number;
  readonly command: string[];
  readonly env: unknown;
  /** @default - none */
  readonly envFrom?: EnvFromSource[];
  /** Whether the Job mounts the chart's files (a pre-install Job cannot: they do not exist yet). */
  readonly files: boolean;
}

/**
 * A Job run by Helm at the hook's events with the API's image, placement and security: deleted once it succeeded,
 * kept when it failed (to be read) until the next run replaces it.
 */
function hookJob(scope: Construct, chart: HelmChart<ScaleliteValues>, props: HookJobProps): Manifest<Job> {
  const v = chart.values;
  const api = v.api;
  const rails = railsVolumes(chart);
  const volumes = props.files ? rails.volumes : rails.volumes.filter((volume) => volume.name !== 'chart-files');
  const mounts = props.files ? rails.mounts : rails.mounts.filter((mount) => mount.name !== 'chart-files');
  return new Manifest<Job>(scope, props.component, {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: String(chart.componentName(props.component)),
      labels: chart.standardLabels(props.component),
      annotations: {
        'helm.sh/hook': props.hooks,
        'helm.sh/hook-weight': String(props.weight),
        // gone once it succeeded (a failed one stays to be read); replaced by the next run
        'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
      },
    },
    spec: {
      backoffLimit: 2,
      activeDeadlineSeconds: v.jobs.activeDeadlineSeconds,
      template: {
        metadata: { labels: chart.selectorLabels(props.component) },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          imagePullSecrets: chart.imagePullSecrets(api.imagePullSecrets),
          securityContext: omitIfEmpty(api.podSecurityContext),
          nodeSelector: omitIfEmpty(api.nodeSelector),
          tolerations: omitIfEmpty(api.tolerations),
          affinity: omitIfEmpty(api.affinity),
          containers: [
            {
              name: props.component,
              image: chart.image(api.image),
              imagePullPolicy: api.image.pullPolicy,
              command: props.command,
              env: props.env,
              envFrom: props.envFrom,
              resources: v.jobs.resources,
              securityContext: omitIfEmpty(api.containerSecurityContext),
              volumeMounts: mounts,
            },
          ],
          volumes,
        },
      },
    },
  } as never);
}

/**
 * With `networkPolicy.enabled`: nginx (HTTP) admits the ingress controller or Gateway only, the admin API the
 * namespaces of `adminNamespaceSelector` and the release's own Jobs; the poller and the importer admit nothing.
 */
function networkPolicies(scope: Construct, chart: HelmChart<ScaleliteValues>): void {
  const v = chart.values;
  const n = v.networkPolicy;
  const policy = (component: string, ingress: unknown) =>
    chart.renderWhen(
      new Manifest<NetworkPolicy>(scope, component, {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: String(chart.componentName(component)), labels: chart.standardLabels(component) },
        spec: { podSelector: { matchLabels: chart.selectorLabels(component) }, policyTypes: ['Ingress'], ingress },
      } as never),
      n.enabled,
    );
  policy(COMPONENTS.api, [
    { from: [{ namespaceSelector: { matchLabels: n.ingressNamespaceSelector } }], ports: [{ port: 'http', protocol: 'TCP' }] },
    { from: [{ namespaceSelector: { matchLabels: n.adminNamespaceSelector } }], ports: [{ port: COMPONENTS.api, protocol: 'TCP' }] },
  ]);
  policy(COMPONENTS.poller, []);
  policy(COMPONENTS.importer, []);
}
