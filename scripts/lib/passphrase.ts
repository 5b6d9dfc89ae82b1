// Where jitsi-eu suggests keeping the passphrase that protects the stacks' secrets. The README's
// setup lines, the error hint of deploy/sandbox/teardown and `npm run doctor` all print these, so
// they cannot drift apart.

export const SUGGESTED_PASSPHRASE_FILE = '~/.config/jitsi-eu/passphrase';

/** Shell lines that create the passphrase file (private to the user) and point Pulumi at it. */
export const PASSPHRASE_SETUP_LINES: readonly string[] = [
  `(umask 077 && mkdir -p ~/.config/jitsi-eu && openssl rand -base64 32 > ${SUGGESTED_PASSPHRASE_FILE})`,
  `export PULUMI_CONFIG_PASSPHRASE_FILE=${SUGGESTED_PASSPHRASE_FILE}`,
];
