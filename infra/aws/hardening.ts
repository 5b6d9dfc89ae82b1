// Settings every jitsi-eu host shares, for an instance or a launch template: the instance
// metadata service only with session tokens (IMDSv2) and one network hop (nothing behind the
// host can reach it), and an encrypted gp3 root volume.
import type { HostRole } from '../render/types.ts';
import { ROOT_VOLUME_GIB, ROOT_VOLUME_TYPE } from './layout.ts';

export const IMDS_HOP_LIMIT = 1;

export function instanceMetadataOptions(options: { tagsInMetadata: boolean }) {
  return {
    httpEndpoint: 'enabled',
    httpTokens: 'required',
    httpPutResponseHopLimit: IMDS_HOP_LIMIT,
    instanceMetadataTags: options.tagsInMetadata ? 'enabled' : 'disabled',
  };
}

export function instanceRootVolume(role: HostRole, tags: Record<string, string>) {
  return { volumeType: ROOT_VOLUME_TYPE, volumeSize: ROOT_VOLUME_GIB[role], encrypted: true, deleteOnTermination: true, tags };
}

/** Launch templates take the same settings with string booleans. */
export function launchTemplateRootVolume(role: HostRole, deviceName: string) {
  return {
    deviceName,
    ebs: { volumeType: ROOT_VOLUME_TYPE, volumeSize: ROOT_VOLUME_GIB[role], encrypted: 'true', deleteOnTermination: 'true' },
  };
}
