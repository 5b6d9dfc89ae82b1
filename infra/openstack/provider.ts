// The one OpenStack provider of a deployment, pinned to the stack's region. Credentials come
// from clouds.yaml (the entry named by openstack:cloud) or the usual OS_* variables, never from
// the stack file.
import type * as pulumi from '@pulumi/pulumi';
import { Provider } from '@pulumi/openstack/provider.js';
import type { DeploymentSpec } from '../spec/types.ts';

export function openstackProvider(spec: DeploymentSpec, opts: pulumi.CustomResourceOptions = {}): Provider {
  return new Provider(
    `openstack-${spec.region}`,
    {
      region: spec.region,
      ...(spec.openstackCloud ? { cloud: spec.openstackCloud } : {}),
    },
    opts,
  );
}
