// The one AWS provider of a deployment: the spec's region, and jitsi-eu's tags on everything it
// creates. Every resource and lookup names it explicitly, so nothing falls back to whatever
// region or credentials happen to be configured on the machine.
import type * as pulumi from '@pulumi/pulumi';
import { Provider } from '@pulumi/aws/provider.js';
import type { DeploymentSpec } from '../spec/types.ts';
import { defaultTags } from '../tags.ts';

export function euProvider(spec: DeploymentSpec, opts: pulumi.CustomResourceOptions = {}): Provider {
  return new Provider(
    `aws-${spec.region}`,
    {
      region: spec.region,
      defaultTags: { tags: defaultTags(spec) },
    },
    opts,
  );
}
