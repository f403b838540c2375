/**
 * Facts about IONOS Cloud that a state's configuration is validated against. Check them against the IONOS
 * documentation when a new location or region opens.
 */

/** The IONOS Cloud data center locations (`ionoscloud_datacenter.location`). */
export const IONOS_LOCATIONS = [
  'de/fra',
  'de/fra/2',
  'de/txl',
  'es/vit',
  'fr/par',
  'gb/bhx',
  'gb/lhr',
  'us/ewr',
  'us/las',
  'us/mci',
] as const;

/** An IONOS Cloud data center location. */
export type IonosLocation = (typeof IONOS_LOCATIONS)[number];

/**
 * The IONOS Object Storage regions with contract-owned buckets (what `ionoscloud_s3_bucket` creates), with
 * their S3 endpoints. Contract-owned buckets exist only in Berlin so far; the provider defaults to it.
 */
export const OBJECT_STORAGE_ENDPOINTS = {
  'eu-central-3': 'https://s3.eu-central-3.ionoscloud.com',
} as const satisfies Record<string, string>;

/** An IONOS Object Storage region. */
export type ObjectStorageRegion = keyof typeof OBJECT_STORAGE_ENDPOINTS;

/**
 * The StorageClasses of IONOS managed Kubernetes (CSI provisioner `cloud.ionos.com`): block storage on SSD or HDD;
 * `ionos-enterprise-hdd` is the clusters' default.
 */
export const IONOS_STORAGE_CLASSES = ['ionos-enterprise-ssd', 'ionos-enterprise-hdd'] as const;

/** The compute availability zones of a node pool; `AUTO` lets IONOS choose. */
export const AVAILABILITY_ZONES = ['AUTO', 'ZONE_1', 'ZONE_2'] as const;

/** The days a maintenance window may fall on (`maintenance_window.day_of_the_week`). */
export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

/**
 * Sizes a Kubernetes node pool takes (Cloud API v6, `KubernetesNodePoolPropertiesForPost`): RAM in multiples of
 * 1024 MB from 2048 MB, and a node volume larger than 10 GB.
 */
export const NODE_POOL_SIZES = { ramStepMb: 1024, minRamMb: 2048, minStorageGbExclusive: 10 } as const;

/**
 * Sizes a server (a VM, e.g. a BigBlueButton server) takes (Cloud API v6, `ServerProperties.ram`): RAM in
 * multiples of 256 MB from 256 MB, at least 1024 MB with RAM hot-plug.
 */
export const SERVER_SIZES = { ramStepMb: 256, minRamMb: 256, minRamMbWithHotPlug: 1024 } as const;

/** Whether `ramMb` is a RAM size a node pool takes ({@link NODE_POOL_SIZES}). */
export function isNodePoolRam(ramMb: number): boolean {
  return Number.isInteger(ramMb) && ramMb >= NODE_POOL_SIZES.minRamMb && ramMb % NODE_POOL_SIZES.ramStepMb === 0;
}
