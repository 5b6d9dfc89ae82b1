// The Pulumi side of a rotation: new values come from replacing the secrets' RandomPassword
// resources (`--replace`), which updates their SSM parameters in the same run, so SSM and
// Pulumi's state agree. The update is limited to those resources (`--target`): a change to the
// stack file that is waiting for `deploy` is not slipped in by a rotation.
//
// Why `replace` and not a `keepers` value per secret: keepers would have to live in the stack's
// config (a generation counter per secret in Pulumi.NAME.yaml) and every later deploy would need
// to keep it; a replacement leaves the stack file as the operator wrote it, and the new value
// exists only where secrets live (Pulumi's encrypted state and SSM).
import { secretUrns } from '../../infra/aws/secret-urns.ts';
import type { UpdateScope } from '../lib/workspace.ts';
import type { DeployPreview, ResourceChange } from '../deploy/preview.ts';
import type { RotatableSecret } from './secrets.ts';

const PASSWORD_TYPE = 'random:index/randomPassword:RandomPassword';
const PARAMETER_TYPE = 'aws:ssm/parameter:Parameter';

export function rotationScope(stack: string, secrets: readonly RotatableSecret[]): Required<UpdateScope> {
  const urns = secrets.map((s) => secretUrns(stack, s));
  return { replace: urns.map((u) => u.password), targets: urns.flatMap((u) => [u.password, u.parameter]) };
}

/**
 * What the preview must show, and nothing more: each chosen RandomPassword replaced and its SSM
 * parameter updated. Anything else (an instance, its user data, a launch template) means the
 * rotation would touch more than secrets: it stops, with the list.
 */
export function previewProblems(preview: DeployPreview, stack: string, secrets: readonly RotatableSecret[]): string[] {
  const expected = new Map<string, { kind: ResourceChange['kind']; type: string }>();
  for (const secret of secrets) {
    const { password, parameter } = secretUrns(stack, secret);
    expected.set(password, { kind: 'replace', type: PASSWORD_TYPE });
    expected.set(parameter, { kind: 'update', type: PARAMETER_TYPE });
  }
  const problems: string[] = [];
  for (const change of preview.changes) {
    const want = expected.get(change.urn);
    if (!want || want.kind !== change.kind) problems.push(`${change.name} (${change.type}) would ${change.kind === 'update' ? 'change' : `be ${change.kind === 'create' ? 'created' : change.kind === 'delete' ? 'deleted' : 'replaced'}`}`);
  }
  for (const [urn, want] of expected) {
    if (!preview.changes.some((c) => c.urn === urn && c.kind === want.kind)) {
      problems.push(`${urn.split('::').pop()} (${want.type}) is not ${want.kind === 'replace' ? 'replaced' : 'updated'}: is the stack deployed with this version of jitsi-eu?`);
    }
  }
  return problems;
}
