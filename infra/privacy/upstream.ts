// The Jitsi release whose option names this project has checked its templates against.
// Upgrading Jitsi means changing this constant and re-running the tests that compare the
// rendered keys with the upstream key lists below.

/** Jitsi stable release installed on the hosts (`jitsi-meet=2.0.<release>-1`). */
export const PINNED_JITSI_RELEASE = '10710';

/** Debian version of the `jitsi-meet` metapackage for a release; it pins every component package. */
export function jitsiMetapackageVersion(release: string): string {
  return `2.0.${release}-1`;
}
