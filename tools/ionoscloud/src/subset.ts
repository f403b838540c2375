import * as path from 'node:path';

import { _stripSchema } from './_strip-schema';
import type { ProviderSchemaDocument, ProviderSchemas, TerraformSchema } from './terraform-schema';

/** The provider the subset describes, as `required_providers` and the Terraform registry name it. */
export const PROVIDER_SOURCE = 'ionos-cloud/ionoscloud';

/** The provider version the subset was taken from; `cdktf.json` pins exactly this version. */
export const PROVIDER_VERSION = '6.7.12';

/** The fully qualified provider name, the key of `provider_schemas`. */
export const PROVIDER_FQPN = `registry.terraform.io/${PROVIDER_SOURCE}`;

/** The resources the infrastructure app uses: the subset holds these and no others. */
export const SUBSET_RESOURCES: readonly string[] = [
  'ionoscloud_datacenter',
  'ionoscloud_dns_record',
  'ionoscloud_dns_zone',
  'ionoscloud_inmemorydb_replicaset',
  'ionoscloud_ipblock',
  'ionoscloud_k8s_cluster',
  'ionoscloud_k8s_node_pool',
  'ionoscloud_lan',
  'ionoscloud_nic',
  'ionoscloud_nfs_cluster',
  'ionoscloud_nfs_share',
  'ionoscloud_pg_cluster',
  'ionoscloud_pg_database',
  'ionoscloud_s3_bucket',
  'ionoscloud_s3_bucket_lifecycle_configuration',
  'ionoscloud_s3_bucket_public_access_block',
  'ionoscloud_s3_bucket_server_side_encryption_configuration',
  'ionoscloud_s3_bucket_versioning',
  'ionoscloud_server',
];

/** The data sources the infrastructure app uses (the cluster's kubeconfig and API credentials). */
export const SUBSET_DATA_SOURCES: readonly string[] = ['ionoscloud_k8s_cluster'];

/** The committed subset, relative to this tool's folder. */
export const SUBSET_FILE = `schema/ionoscloud-${PROVIDER_VERSION}.subset.json`;

/** The committed subset. */
export const SUBSET_PATH: string = path.join(__dirname, '..', SUBSET_FILE);

/** A file of `../shared/ionoscloud` beside the workspace, read only when a derivation is run by hand. */
export function sharedIonosFile(name: string): string {
  return path.join(__dirname, '..', '..', '..', '..', 'shared', 'ionoscloud', name);
}

/** The full schema dump beside the workspace, read only when the derivation is run by hand. */
export const SHARED_SOURCE_PATH: string = sharedIonosFile(`provider-schema-${PROVIDER_VERSION}.json`);

/** The `$comment` the subset starts with. */
export const SUBSET_COMMENT =
  `GENERATED FILE, DO NOT EDIT. Facts-only subset (no descriptions) of the schema of the Terraform provider ` +
  `${PROVIDER_SOURCE} ${PROVIDER_VERSION} (\`terraform providers schema -json\`, from ionos-cloud/provider-upjet-ionoscloud ` +
  `config/schema.json, Apache-2.0), holding the resources the infrastructure app uses. Derived from ` +
  `../shared/ionoscloud/provider-schema-${PROVIDER_VERSION}.json by \`npx nx run ionoscloud-bindings:derive\` ` +
  `(tools/ionoscloud/src/cli.ts derive).`;

function _pick(
  schemas: { readonly [type: string]: TerraformSchema } | undefined,
  types: readonly string[],
  kind: string,
): { [type: string]: TerraformSchema } {
  const picked: { [type: string]: TerraformSchema } = {};
  for (const type of [...types].sort()) {
    const schema = schemas?.[type];
    if (schema === undefined) {
      throw new Error(`The source schema has no ${kind} "${type}"`);
    }
    picked[type] = _stripSchema(schema);
  }
  return picked;
}

/**
 * The committed subset for the full provider schema dump: the provider configuration, the resources and data
 * sources the app uses, facts only, plus `provider_versions` (which the cdktf generator writes into the
 * bindings). Serialised with two-space indentation and a final newline, keys sorted.
 * @throws if the source lacks the provider or one of the resources
 */
export function deriveSubsetText(sourceText: string): string {
  const source = JSON.parse(sourceText) as Partial<ProviderSchemaDocument>;
  const provider: ProviderSchemas | undefined = source.provider_schemas?.[PROVIDER_FQPN];
  if (provider === undefined) {
    throw new Error(`The source holds no provider "${PROVIDER_FQPN}"`);
  }
  const subset: ProviderSchemaDocument = {
    $comment: SUBSET_COMMENT,
    format_version: source.format_version ?? '1.0',
    provider_schemas: {
      [PROVIDER_FQPN]: {
        provider: _stripSchema(provider.provider),
        resource_schemas: _pick(provider.resource_schemas, SUBSET_RESOURCES, 'resource'),
        data_source_schemas: _pick(provider.data_source_schemas, SUBSET_DATA_SOURCES, 'data source'),
      },
    },
    provider_versions: { [PROVIDER_FQPN]: PROVIDER_VERSION },
  };
  return `${JSON.stringify(subset, null, 2)}\n`;
}
