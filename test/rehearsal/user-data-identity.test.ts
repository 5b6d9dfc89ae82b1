// The rehearsal boots what deploy sends: the Pulumi program, run under Pulumi's mocks for the
// example stacks, gives EC2 exactly the bytes the rehearsal writes into its NoCloud seed.
import { describe, expect, it } from 'vitest';
import { recordProgram } from '../../scripts/plan/record.ts';
import { readStackConfig } from '../../scripts/plan/config.ts';
import { loadSpecOrThrow } from '../../scripts/lib/cli.ts';
import { rehearsalUserData } from '../../scripts/rehearse/user-data.ts';

describe('rehearsal user data', () => {
  it.each(['Pulumi.example-production.yaml', 'Pulumi.example-scalable.yaml'])('%s: is byte for byte what the program gives EC2, for every role', async (file) => {
    const { spec } = loadSpecOrThrow(file);
    const recording = await recordProgram({ stack: spec.stack, config: readStackConfig(file) });
    const instance = recording.resources.find((r) => r.type === 'aws:ec2/instance:Instance')!;
    expect(Buffer.from(instance.inputs.userDataBase64 as string, 'base64').equals(rehearsalUserData(spec, 'signaling'))).toBe(true);
    const template = recording.resources.find((r) => r.type === 'aws:ec2/launchTemplate:LaunchTemplate');
    if (spec.topology === 'scalable') {
      expect(Buffer.from(template!.inputs.userData as string, 'base64').equals(rehearsalUserData(spec, 'bridge'))).toBe(true);
    } else {
      expect(template).toBeUndefined();
    }
  }, 120_000);
});
