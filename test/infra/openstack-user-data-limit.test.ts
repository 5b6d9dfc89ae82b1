// Nova accepts at most 64 KiB of user data (counted base64-encoded). A stack whose user data would
// not fit stops before anything is created, the provider and the network included, instead of
// failing halfway through a deploy. The real size check is stood in by one that refuses a role.
import { describe, expect, it, vi } from 'vitest';
import { OPENSTACK_CONFIG, OPENSTACK_SCALABLE, runOpenstackProgram } from '../helpers/openstack-mocks.ts';

const refused = vi.hoisted(() => ({ role: 'bridge' as 'signaling' | 'bridge' }));

vi.mock('../../infra/openstack/user-data.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../infra/openstack/user-data.ts')>();
  return {
    ...real,
    openstackUserData: (...args: Parameters<typeof real.openstackUserData>) => {
      if (args[2] === refused.role) throw new Error(`the ${args[2]} user data is 70000 bytes; OpenStack (Nova) accepts at most 65535`);
      return real.openstackUserData(...args);
    },
  };
});

const CONFIG = { ...OPENSTACK_CONFIG, ...OPENSTACK_SCALABLE };

describe('user data size on OpenStack', () => {
  it.each(['signaling', 'bridge'] as const)('a %s user data too large stops the run before any resource exists', async (role) => {
    refused.role = role;
    const run = await runOpenstackProgram(`too-big-${role}`, CONFIG);
    expect((run.error as Error).message).toBe(`the ${role} user data is 70000 bytes; OpenStack (Nova) accepts at most 65535`);
    expect(run.recording.resources.filter((r) => r.custom)).toEqual([]);
    expect(run.recording.invokes).toEqual([]);
  });
});
