// Configuration reaches running hosts outside the user data: each role's bundle archive is an
// object of the stack's own bucket (EU region, encrypted, versioned, never public, TLS only),
// named by its revision and never overwritten; an SSM parameter per role points at the current
// one; a State Manager association runs the host agent on every host of the role whenever the
// pointer's revision changes (AWS runs an association at once when it is created or updated).
import * as pulumi from '@pulumi/pulumi';
import { Policy } from '@pulumi/aws/iam/policy.js';
import { Bucket } from '@pulumi/aws/s3/bucket.js';
import { BucketObjectv2 } from '@pulumi/aws/s3/bucketObjectv2.js';
import { BucketPolicy } from '@pulumi/aws/s3/bucketPolicy.js';
import { BucketPublicAccessBlock } from '@pulumi/aws/s3/bucketPublicAccessBlock.js';
import { BucketServerSideEncryptionConfiguration } from '@pulumi/aws/s3/bucketServerSideEncryptionConfiguration.js';
import { BucketVersioning } from '@pulumi/aws/s3/bucketVersioning.js';
import { Association } from '@pulumi/aws/ssm/association.js';
import { Parameter } from '@pulumi/aws/ssm/parameter.js';
import { AGENT_PATH, type RoleArchive, bundlePointerName, pointerValue } from '../render/delivery.ts';
import type { HostRole } from '../render/types.ts';
import type { DeploymentSpec } from '../spec/types.ts';
import { nameTag } from './layout.ts';

export interface BundleDeliveryArgs {
  spec: DeploymentSpec;
  /** One archive per role the deployment has. */
  archives: RoleArchive[];
}

/** Reads the stack's bundles and nothing else of S3: every host role. */
export function readBundlesPolicyDocument(bucketArn: string): object {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'ReadThisStacksBundles', Effect: 'Allow', Action: 's3:GetObject', Resource: `${bucketArn}/bundles/*` }],
  };
}

/** Refuses any request to the bucket that does not come over TLS. */
export function tlsOnlyBucketPolicy(bucketArn: string): object {
  return {
    Version: '2012-10-17',
    Statement: [{
      Sid: 'TlsOnly',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }],
  };
}

/**
 * The command State Manager runs. The agent applies whatever the pointer names; the revision in
 * the command line makes each new revision a new version of the association, which AWS runs at once.
 */
export function applyCommand(revision: string): string {
  return `JITSI_EU_EXPECTED_REVISION=${revision} ${AGENT_PATH} --json`;
}

export class BundleDelivery extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  /** Attach to every host role: reads the stack's bundle objects. */
  readonly readPolicyArn: pulumi.Output<string>;
  /** Revision of each role's bundle as deployed. */
  readonly revisions: Partial<Record<HostRole, string>> = {};
  /** Resources the hosts need before their first boot: the objects and the pointers. */
  readonly ready: pulumi.Resource[] = [];

  constructor(name: string, args: BundleDeliveryArgs, opts?: pulumi.ComponentResourceOptions) {
    super('jitsi-eu:aws:BundleDelivery', name, {}, opts);
    const { spec } = args;
    const child = { parent: this };

    const bucket = new Bucket(`${name}-bucket`, {
      bucketPrefix: `${nameTag(spec, 'bundles')}-`.slice(0, 37).toLowerCase(),
      // Teardown leaves nothing: the archives (every version) go with the bucket.
      forceDestroy: true,
      tags: { Name: nameTag(spec, 'bundles') },
    }, child);
    const versioning = new BucketVersioning(`${name}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: 'Enabled' } }, child);
    const encryption = new BucketServerSideEncryptionConfiguration(`${name}-encryption`, {
      bucket: bucket.id,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' }, bucketKeyEnabled: true }],
    }, child);
    const privateAccess = new BucketPublicAccessBlock(`${name}-private`, {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }, child);
    new BucketPolicy(`${name}-tls-only`, {
      bucket: bucket.id,
      policy: bucket.arn.apply((arn) => JSON.stringify(tlsOnlyBucketPolicy(arn))),
    }, { parent: this, dependsOn: [privateAccess] });

    for (const archive of args.archives) {
      const { role } = archive;
      this.revisions[role] = archive.revision;
      const object = new BucketObjectv2(`${name}-${role}-${archive.revision}`, {
        bucket: bucket.id,
        key: archive.key,
        contentBase64: archive.archive.toString('base64'),
        contentType: 'application/gzip',
        serverSideEncryption: 'AES256',
      }, { parent: this, dependsOn: [versioning, encryption], retainOnDelete: false });
      const pointer = new Parameter(`${name}-${role}-pointer`, {
        name: bundlePointerName(spec.stack, role),
        type: 'String',
        tier: 'Standard',
        value: bucket.bucket.apply((b) => pointerValue({ revision: archive.revision, bucket: b, key: archive.key, sha256: archive.sha256 })),
        description: `jitsi-eu ${spec.stack}: the ${role} hosts' current configuration bundle`,
      }, { parent: this, dependsOn: [object] });
      new Association(`${name}-${role}-apply`, {
        name: 'AWS-RunShellScript',
        associationName: nameTag(spec, `apply-${role}`),
        targets: [{ key: 'tag:Name', values: [nameTag(spec, role)] }],
        parameters: { commands: applyCommand(archive.revision), executionTimeout: '1800' },
        // One host at a time: the signaling node alone, bridges one after another.
        maxConcurrency: '1',
        maxErrors: '1',
      }, { parent: this, dependsOn: [pointer] });
      this.ready.push(object, pointer);
    }

    const policy = new Policy(`${name}-read`, {
      description: `Read the jitsi-eu ${spec.stack} configuration bundles`,
      policy: bucket.arn.apply((arn) => JSON.stringify(readBundlesPolicyDocument(arn))),
    }, child);
    this.bucketName = bucket.bucket;
    this.readPolicyArn = policy.arn;
    this.registerOutputs({ bucketName: this.bucketName, readPolicyArn: this.readPolicyArn, revisions: this.revisions });
  }
}
