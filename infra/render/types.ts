// The rendered bundle: every file as it will sit on a host, plus where it goes.

export type BundleComponent =
  | 'web-config'
  | 'interface-config'
  | 'prosody'
  | 'prosody-plugin'
  | 'jicofo'
  | 'jvb'
  | 'nginx'
  | 'coturn'
  | 'os'
  | 'cloud-init'
  | 'privacy-notice';

export type HostRole = 'signaling' | 'bridge';

export interface BundleFile {
  /** Target path on the host, relative to `/` (no leading slash), e.g. `etc/jitsi/jicofo/jicofo.conf`. */
  path: string;
  component: BundleComponent;
  roles: HostRole[];
  /** Octal file mode as a string, e.g. `0644`. */
  mode: string;
  /** `user:group` that must own the file, when not root:root (e.g. `root:prosody` for a 0640 config). */
  owner?: string;
  content: string;
}

export interface ManifestEntry {
  path: string;
  component: BundleComponent;
  roles: HostRole[];
  mode: string;
}

export interface Manifest {
  files: ManifestEntry[];
}

export interface Bundle {
  /** Sorted by path; paths are unique. */
  files: BundleFile[];
  /** Ids of the privacy settings the templates read while rendering. */
  usedSettings: string[];
}
