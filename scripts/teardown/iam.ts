// IAM roles, customer managed policies and instance profiles a deployment can leave behind. IAM
// is global, and the regional Resource Groups Tagging API does not return it, so the orphan
// check lists each kind and reads its tags one by one (IAM's list calls leave tags out).
// Removal follows the order IAM insists on: a profile lets go of its roles, a role of its
// policies and profiles, a policy of whatever it is attached to and of its older versions.
import {
  DeleteInstanceProfileCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetInstanceProfileCommand,
  ListPolicyTagsCommand,
  ListRoleTagsCommand,
  RemoveRoleFromInstanceProfileCommand,
  paginateListAttachedRolePolicies,
  paginateListEntitiesForPolicy,
  paginateListInstanceProfiles,
  paginateListInstanceProfilesForRole,
  paginateListPolicies,
  paginateListPolicyVersions,
  paginateListRolePolicies,
  paginateListRoles,
  type IAMClient,
  type Tag,
} from '@aws-sdk/client-iam';
import { TAG_STACK } from '../../infra/tags.ts';
import { mapSettledLimit } from '../sandbox/concurrency.ts';
import { unlessGone } from './gone.ts';

export type IamKind = 'iam:instance-profile' | 'iam:role' | 'iam:policy';

export interface IamResource {
  arn: string;
  kind: IamKind;
  /** The name IAM's calls take (policies are addressed by `arn`). */
  name: string;
  tags: Record<string, string>;
}

/** Tag reads run this many at a time: an account may hold hundreds of roles. */
const TAG_READS_AT_ONCE = 8;

/** Paths AWS itself creates roles under (service-linked, IAM Identity Center): never a deployment's. */
const AWS_OWNED_ROLE_PATHS = ['/aws-service-role/', '/aws-reserved/'];

const tagMap = (tags: readonly Tag[] | undefined): Record<string, string> =>
  Object.fromEntries((tags ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? '']));

const isGone = (error: unknown) => (error as { name?: string }).name === 'NoSuchEntityException' || (error as { name?: string }).name === 'NoSuchEntity';

/** Undoing a link (attachment, membership, inline policy, old version) whose other end is already gone is a no-op. */
const unlink = (step: Promise<unknown>) => unlessGone(step, ['NoSuchEntity', 'NoSuchEntityException']);

interface Candidate {
  arn: string;
  kind: IamKind;
  name: string;
  readTags: () => Promise<Tag[] | undefined>;
}

/** Every role, customer managed policy and instance profile tagged `jitsi-eu:stack=<stack>`. */
export async function findIamResources(iam: IAMClient, stack: string): Promise<IamResource[]> {
  const candidates: Candidate[] = [];
  for await (const page of paginateListRoles({ client: iam }, {})) {
    for (const role of page.Roles ?? []) {
      if (!role.RoleName || !role.Arn || AWS_OWNED_ROLE_PATHS.some((p) => role.Path?.startsWith(p))) continue;
      const name = role.RoleName;
      candidates.push({ arn: role.Arn, kind: 'iam:role', name, readTags: async () => (await iam.send(new ListRoleTagsCommand({ RoleName: name, MaxItems: 100 }))).Tags });
    }
  }
  for await (const page of paginateListPolicies({ client: iam }, { Scope: 'Local' })) {
    for (const policy of page.Policies ?? []) {
      if (!policy.PolicyName || !policy.Arn) continue;
      const arn = policy.Arn;
      candidates.push({ arn, kind: 'iam:policy', name: policy.PolicyName, readTags: async () => (await iam.send(new ListPolicyTagsCommand({ PolicyArn: arn, MaxItems: 100 }))).Tags });
    }
  }
  for await (const page of paginateListInstanceProfiles({ client: iam }, {})) {
    for (const profile of page.InstanceProfiles ?? []) {
      if (!profile.InstanceProfileName || !profile.Arn) continue;
      const name = profile.InstanceProfileName;
      candidates.push({
        arn: profile.Arn,
        kind: 'iam:instance-profile',
        name,
        readTags: async () => (await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }))).InstanceProfile?.Tags,
      });
    }
  }

  const read = await mapSettledLimit(candidates, TAG_READS_AT_ONCE, async (candidate) => tagMap(await candidate.readTags()));
  const found: IamResource[] = [];
  read.forEach((result, i) => {
    const { arn, kind, name } = candidates[i]!;
    if (!result.ok) {
      // Deleted between the listing and the tag read: nothing left to report.
      if (isGone(result.error)) return;
      throw result.error;
    }
    if (result.value[TAG_STACK] === stack) found.push({ arn, kind, name, tags: result.value });
  });
  return found;
}

/** Takes every role out of the profile, then deletes it. */
export async function deleteInstanceProfile(iam: IAMClient, name: string): Promise<void> {
  const profile = (await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }))).InstanceProfile;
  for (const role of profile?.Roles ?? []) {
    if (role.RoleName) await unlink(iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: name, RoleName: role.RoleName })));
  }
  await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: name }));
}

/** Detaches its managed policies, leaves its instance profiles, deletes its inline policies, then the role. */
export async function deleteRole(iam: IAMClient, name: string): Promise<void> {
  for await (const page of paginateListAttachedRolePolicies({ client: iam }, { RoleName: name })) {
    for (const policy of page.AttachedPolicies ?? []) {
      if (policy.PolicyArn) await unlink(iam.send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn: policy.PolicyArn })));
    }
  }
  for await (const page of paginateListInstanceProfilesForRole({ client: iam }, { RoleName: name })) {
    for (const profile of page.InstanceProfiles ?? []) {
      if (profile.InstanceProfileName) await unlink(iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: profile.InstanceProfileName, RoleName: name })));
    }
  }
  for await (const page of paginateListRolePolicies({ client: iam }, { RoleName: name })) {
    for (const policyName of page.PolicyNames ?? []) await unlink(iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: policyName })));
  }
  await iam.send(new DeleteRoleCommand({ RoleName: name }));
}

/** Detaches the policy from every role, user and group, deletes its older versions, then the policy. */
export async function deleteManagedPolicy(iam: IAMClient, arn: string): Promise<void> {
  for await (const page of paginateListEntitiesForPolicy({ client: iam }, { PolicyArn: arn })) {
    for (const role of page.PolicyRoles ?? []) if (role.RoleName) await unlink(iam.send(new DetachRolePolicyCommand({ RoleName: role.RoleName, PolicyArn: arn })));
    for (const user of page.PolicyUsers ?? []) if (user.UserName) await unlink(iam.send(new DetachUserPolicyCommand({ UserName: user.UserName, PolicyArn: arn })));
    for (const group of page.PolicyGroups ?? []) if (group.GroupName) await unlink(iam.send(new DetachGroupPolicyCommand({ GroupName: group.GroupName, PolicyArn: arn })));
  }
  for await (const page of paginateListPolicyVersions({ client: iam }, { PolicyArn: arn })) {
    for (const version of page.Versions ?? []) {
      if (!version.IsDefaultVersion && version.VersionId) await unlink(iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: version.VersionId })));
    }
  }
  await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
}
