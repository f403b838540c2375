import type { ObjectStorageRegion } from '@meetscale/ionos-facts';
import { Construct } from 'constructs';

import { S3Bucket } from '../generated/providers/ionoscloud/s3-bucket';
import { S3BucketLifecycleConfiguration } from '../generated/providers/ionoscloud/s3-bucket-lifecycle-configuration';
import { S3BucketPublicAccessBlock } from '../generated/providers/ionoscloud/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfiguration } from '../generated/providers/ionoscloud/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioning } from '../generated/providers/ionoscloud/s3-bucket-versioning';

/** Properties of an {@link ObjectStorage}. */
export interface ObjectStorageProps {
  /** The state's id; the buckets are named after it. */
  readonly stateId: string;
  /** Object Storage region. */
  readonly region: ObjectStorageRegion;
  /** Days a backup object is kept. */
  readonly backupRetentionDays: number;
}

/** The bucket of a state's Terraform state (the S3 backend points at it). */
export function stateBucketName(stateId: string): string {
  return `meetscale-${stateId}-tfstate`;
}

/** The bucket of a state's backups. */
export function backupBucketName(stateId: string): string {
  return `meetscale-${stateId}-backups`;
}

/**
 * A state's IONOS Object Storage: the Terraform state bucket (versioned, never destroyed by Terraform) and the
 * backup bucket (old objects expire), both private and encrypted at rest.
 */
export class ObjectStorage extends Construct {
  /** The bucket holding the Terraform state. */
  public readonly stateBucket: S3Bucket;
  /** The bucket holding backups. */
  public readonly backupBucket: S3Bucket;

  constructor(scope: Construct, id: string, props: ObjectStorageProps) {
    super(scope, id);
    this.stateBucket = this.createPrivateBucket('state', stateBucketName(props.stateId), props.region);
    this.stateBucket.addOverride('lifecycle.prevent_destroy', true);
    new S3BucketVersioning(this, 'state-versioning', {
      bucket: this.stateBucket.name,
      versioningConfiguration: { status: 'Enabled' },
    });

    this.backupBucket = this.createPrivateBucket('backups', backupBucketName(props.stateId), props.region);
    new S3BucketLifecycleConfiguration(this, 'backups-lifecycle', {
      bucket: this.backupBucket.name,
      rule: [
        {
          id: 'expire-backups',
          status: 'Enabled',
          filter: { prefix: '' },
          expiration: { days: props.backupRetentionDays },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
        },
      ],
    });
  }

  private createPrivateBucket(id: string, name: string, region: ObjectStorageRegion): S3Bucket {
    const bucket = new S3Bucket(this, id, { name, region, tags: { 'meetscale.io/purpose': id } });
    new S3BucketPublicAccessBlock(this, `${id}-public-access-block`, {
      bucket: bucket.name,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketServerSideEncryptionConfiguration(this, `${id}-encryption`, {
      bucket: bucket.name,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    return bucket;
  }
}
