import { join } from 'node:path';

import { each, type HelmChart, isEmpty, json, not, readChartText, when } from '@meetscale/chart-toolkit';

import type { LoggingValues } from './values';

const FILES_DIR = join(__dirname, '..', 'files');

/**
 * Where the setup Job's pod has what `setup.sh` reads; the script's defaults are these paths, the Job sets them
 * in its environment too (`CONFIG_DIR`, `SHIPPER_DIR`, `ES_CA_FILE`, `ES_PASSWORD_FILE`).
 */
export const SETUP_PATHS = {
  /** The `F-setup` ConfigMap (the keys of {@link setupConfigData}). */
  config: '/config',
  /** The shipper Secret: files `username` and `password`. */
  shipper: '/shipper',
  /** The password of `security.users[i]`: its Secret key at `<users>/<i>/password`. */
  users: '/users',
  /** The `ca.crt` of Secret `F-es-http-certs-public`. */
  esCaFile: '/es-ca/ca.crt',
  /** The `elastic` key of Secret `F-es-elastic-user`. */
  esPasswordFile: '/es-elastic/elastic',
} as const;

/** The role of the shipper's Elasticsearch user: append documents to the chart's data streams, nothing more. */
export const SHIPPER_ROLE = 'meetscale-shipper';

/** The saved objects imported into Kibana, in import order: the data view, the searches, the dashboard on them. */
export const KIBANA_OBJECT_FILES = [
  'data-view.json',
  'search-errors.json',
  'search-bridge-failures.json',
  'search-join-errors.json',
  'dashboard.json',
] as const;

/**
 * Attributes Kibana stores as JSON text. The files in `files/kibana/` write them as JSON, to be read and
 * reviewed; {@link kibanaObjectsNdjson} turns them into text as an export has them.
 */
const JSON_TEXT_ATTRIBUTES: ReadonlyArray<readonly string[]> = [
  ['kibanaSavedObjectMeta', 'searchSourceJSON'],
  ['panelsJSON'],
  ['optionsJSON'],
];

/** `_meta`/`metadata` of what the Job creates, naming the chart (Elasticsearch reserves keys starting with `_`). */
const MANAGED_BY = '"managed_by":"meetscale","chart":"logging"';

/** One saved object of `files/kibana/`, with its JSON-text attributes as text. */
function savedObjectLine(file: string): string {
  const object = JSON.parse(readChartText(join(FILES_DIR, 'kibana', file))) as { attributes: Record<string, unknown> };
  for (const path of JSON_TEXT_ATTRIBUTES) {
    let holder: Record<string, unknown> | undefined = object.attributes;
    for (const key of path.slice(0, -1)) holder = holder?.[key] as Record<string, unknown> | undefined;
    const key = path[path.length - 1] as string;
    if (holder !== undefined && holder[key] !== undefined && typeof holder[key] !== 'string') holder[key] = JSON.stringify(holder[key]);
  }
  return JSON.stringify(object);
}

/**
 * The chart's Kibana saved objects as the import API takes them (`POST /api/saved_objects/_import`): one object
 * per line, in the format of Kibana's export (`type`, `id`, `attributes`, `references`, `coreMigrationVersion`,
 * `typeMigrationVersion`). Their ids are fixed, so an import with `overwrite=true` replaces them on every upgrade.
 */
export function kibanaObjectsNdjson(): string {
  return KIBANA_OBJECT_FILES.map((file) => `${savedObjectLine(file)}\n`).join('');
}

/**
 * The data of the setup Job's ConfigMap (`F-setup`), mounted at {@link SETUP_PATHS}.config:
 *
 * - `setup.sh`: the Job's script (`files/setup.sh`);
 * - `policies.tsv`: per stream, `meetscale-logs-<stream>` and the body of `PUT _ilm/policy`: roll over after
 *   `rolloverAfter` or at 50 GB of primary shard size, delete `retention` after the rollover;
 * - `index-templates.tsv`: per stream, `meetscale-logs-<stream>` and the body of `PUT _index_template`: the data
 *   stream `logs-meetscale.<stream>-*` on the built-in `logs@mappings` and `logs@settings`, under its policy;
 * - `roles.tsv`: the shipper's role, then `security.roles` (Kibana privileges as the `kibana-.kibana` application);
 * - `users.tsv`: `security.users`, each with the path of its password file and its body without the password;
 * - `kibana-objects.ndjson`: {@link kibanaObjectsNdjson}.
 */
export function setupConfigData(chart: HelmChart<LoggingValues>): Record<string, string> {
  const v = chart.values;
  const meta = `{${MANAGED_BY},"release":${json(chart.release.name)}}`;
  return {
    'setup.sh': readChartText(join(FILES_DIR, 'setup.sh')),
    'policies.tsv':
      `# lifecycle policy\tbody of PUT /_ilm/policy/<name>\n` +
      each(
        v.streams,
        (stream, name) =>
          `meetscale-logs-${name}\t{"policy":{"_meta":${meta},"phases":{` +
          `"hot":{"actions":{"rollover":{"max_age":${json(v.rolloverAfter)},"max_primary_shard_size":"50gb"}}},` +
          `"delete":{"min_age":${json(stream.retention)},"actions":{"delete":{}}}}}}\n`,
      ),
    'index-templates.tsv':
      `# index template\tbody of PUT /_index_template/<name>\n` +
      each(
        v.streams,
        (_stream, name) =>
          `meetscale-logs-${name}\t{"index_patterns":["logs-meetscale.${name}-*"],"data_stream":{},"priority":200,` +
          `"composed_of":["logs@mappings","logs@settings"],"template":{` +
          `"settings":{"index":{"lifecycle":{"name":"meetscale-logs-${name}"}}},` +
          `"mappings":{"dynamic_templates":[{"strings_as_keyword":{"match_mapping_type":"string","mapping":{"type":"keyword","ignore_above":1024}}}],` +
          `"properties":{"log":{"type":"match_only_text"},"message":{"type":"match_only_text"},"status":{"type":"integer"},"bytes":{"type":"long"}}}},` +
          `"_meta":${meta}}\n`,
      ),
    'roles.tsv':
      `# role\tbody of PUT /_security/role/<name>\n` +
      `${SHIPPER_ROLE}\t{"description":"Writes the log records of the meetscale shipper (Fluent Bit).","cluster":["monitor"],` +
      `"indices":[{"names":["logs-meetscale.*"],"privileges":["create_doc","auto_configure"]}],"applications":[],"metadata":${meta}}\n` +
      each(
        v.security.roles,
        (role, name) =>
          `${name}\t{"cluster":${json(role.cluster)},"indices":${json(role.indices)},"applications":${when(
            not(isEmpty(role.kibana)),
            `[{"application":"kibana-.kibana","privileges":${json(role.kibana)},"resources":["*"]}]`,
            '[]',
          )},"metadata":${meta}}\n`,
      ),
    'users.tsv':
      `# user\tpassword file\tbody of PUT /_security/user/<name>, without the password\n` +
      each(
        v.security.users,
        (user, index) =>
          `${user.username}\t${SETUP_PATHS.users}/${index}/password\t` +
          `{"roles":${json(user.roles)},"full_name":${json(user.fullName)},"enabled":true,"metadata":${meta}}\n`,
      ),
    'kibana-objects.ndjson': kibanaObjectsNdjson(),
  };
}
