// ARNs of the resources a deployment can leave behind, split into what the purge needs.
export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  account: string;
  /** `instance`, `security-group`, `parameter`, `autoScalingGroup`, `role`... */
  resourceType: string;
  /** The part after the type: `i-0abc`, `/jitsi-eu/x/turn-secret`, the group name... */
  resourceId: string;
}

export function parseArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition, service, region, account] = parts as [string, string, string, string, string];
  const resource = parts.slice(5).join(':');
  let resourceType: string;
  let resourceId: string;
  if (service === 'autoscaling') {
    // autoScalingGroup:<uuid>:autoScalingGroupName/<name>
    resourceType = resource.split(':')[0]!;
    resourceId = /autoScalingGroupName\/(.+)$/.exec(resource)?.[1] ?? resource;
  } else if (service === 'ssm' && resource.startsWith('parameter/')) {
    resourceType = 'parameter';
    // Hierarchical names keep their leading slash; plain names have none.
    const name = resource.slice('parameter'.length);
    resourceId = name.indexOf('/', 1) > 0 ? name : name.slice(1);
  } else if (service === 's3' && !resource.includes('/')) {
    // arn:aws:s3:::<bucket> (the bundle bucket): no type in the ARN itself.
    resourceType = 'bucket';
    resourceId = resource;
  } else {
    const cut = resource.search(/[/:]/);
    resourceType = cut < 0 ? resource : resource.slice(0, cut);
    resourceId = cut < 0 ? '' : resource.slice(cut + 1);
  }
  return { partition, service, region, account, resourceType, resourceId };
}

/** ARN of an SSM parameter (`/a/b` → `parameter/a/b`). */
export function ssmParameterArn(partition: string, region: string, account: string, name: string): string {
  return `arn:${partition}:ssm:${region}:${account}:parameter${name.startsWith('/') ? name : `/${name}`}`;
}

export function ec2Arn(partition: string, region: string, account: string, type: string, id: string): string {
  return `arn:${partition}:ec2:${region}:${account}:${type}/${id}`;
}
