// The Jitsi release whose option names this project has checked its templates against.
// Upgrading Jitsi means changing this constant and re-running the tests that compare the
// rendered keys with the upstream key lists (infra/privacy/upstream-web-keys.ts and friends).

/**
 * Jitsi stable release installed on the hosts (`jitsi-meet=2.0.<release>-1`).
 *
 * Checked against jitsi/jitsi-meet 6549d47233326f5755b32c77b8e8801838021a0a (2025-12-19). That
 * commit is newer than stable-10655 and older than stable-10710, whose docker-jitsi-meet release
 * tags are dated 2025-11-24 and 2026-01-14, so it belongs to the 10710 cycle.
 */
export const PINNED_JITSI_RELEASE = '10710';

/** Debian version of the `jitsi-meet` metapackage for a release; it pins every component package. */
export function jitsiMetapackageVersion(release: string): string {
  return `2.0.${release}-1`;
}
