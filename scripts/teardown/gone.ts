// What each AWS API answers when the thing --purge is removing is no longer there: a volume that
// went with its instance, a record someone deleted by hand, a purge run twice over the same list.
// Already gone is what the purge wants, so it counts as done.
import type { PurgeKind } from './orphans.ts';

interface GoneAnswer {
  code: string;
  /** For codes that also mean other things, the message that says "not found". */
  message?: RegExp;
}

const GONE: Record<PurgeKind, readonly GoneAnswer[]> = {
  'autoscaling:autoScalingGroup': [{ code: 'ValidationError', message: /not found/i }],
  'ec2:instance': [{ code: 'InvalidInstanceID.NotFound' }],
  'ec2:elastic-ip': [{ code: 'InvalidAllocationID.NotFound' }],
  // EC2 answers with the first; moto_server with the second.
  'ec2:launch-template': [{ code: 'InvalidLaunchTemplateId.NotFound' }, { code: 'InvalidLaunchTemplateName.NotFoundException' }],
  'ec2:natgateway': [{ code: 'NatGatewayNotFound' }, { code: 'InvalidNatGatewayID.NotFound' }],
  'ec2:network-interface': [{ code: 'InvalidNetworkInterfaceID.NotFound' }],
  'ec2:volume': [{ code: 'InvalidVolume.NotFound' }],
  'ec2:snapshot': [{ code: 'InvalidSnapshot.NotFound' }],
  'ec2:security-group': [{ code: 'InvalidGroup.NotFound' }],
  'ec2:subnet': [{ code: 'InvalidSubnetID.NotFound' }],
  'ec2:route-table': [{ code: 'InvalidRouteTableID.NotFound' }],
  'ec2:internet-gateway': [{ code: 'InvalidInternetGatewayID.NotFound' }],
  'ec2:vpc': [{ code: 'InvalidVpcID.NotFound' }],
  's3:bucket': [{ code: 'NoSuchBucket' }],
  // DeleteParameters lists missing names instead of failing; see purge.ts.
  'ssm:parameter': [{ code: 'ParameterNotFound' }],
  'iam:instance-profile': [{ code: 'NoSuchEntity' }],
  'iam:role': [{ code: 'NoSuchEntity' }],
  'iam:policy': [{ code: 'NoSuchEntity' }],
  // Route53's answer (InvalidChangeBatch) also covers real failures: the purge reads the zone instead.
  'route53:record': [],
};

/** The error codes an SDK error carries: the modelled name (`NoSuchEntityException`) and the wire code. */
export function errorCodes(error: unknown): string[] {
  const e = error as { name?: unknown; Code?: unknown; code?: unknown };
  return [e.name, e.Code, e.code].filter((c): c is string => typeof c === 'string');
}

/** True when `error` is the API saying that this kind of resource does not exist (any more). */
export function isAlreadyGone(kind: PurgeKind, error: unknown): boolean {
  const codes = errorCodes(error);
  const message = String((error as { message?: unknown }).message ?? '');
  return GONE[kind].some((answer) => codes.includes(answer.code) && (!answer.message || answer.message.test(message)));
}

/** Runs one step that undoes a link (a rule, an attachment, an association); a link already gone needs no undoing. */
export async function unlessGone(step: Promise<unknown>, codes: readonly string[]): Promise<void> {
  try {
    await step;
  } catch (error) {
    if (!errorCodes(error).some((c) => codes.includes(c))) throw error;
  }
}
