// Where jitsi-eu's own files live on a host. Shared by the templates that write or read them.
export const JITSI_EU_ETC = '/etc/jitsi-eu';
/** TLS key and certificate: a self-signed stand-in at first boot, then the ACME certificate. */
export function tlsPaths(domain: string): { dir: string; fullchain: string; privkey: string } {
  const dir = `${JITSI_EU_ETC}/tls/${domain}`;
  return { dir, fullchain: `${dir}/fullchain.pem`, privkey: `${dir}/privkey.pem` };
}
/** Web root for ACME HTTP-01 challenges, served on port 80. */
export const ACME_WEBROOT = '/var/lib/jitsi-eu/acme';
/** The privacy notice page, served at https://<domain>/privacy.html (English, the one the app links to). */
export const PRIVACY_NOTICE_FILE = '/usr/share/jitsi-eu/www/privacy.html';
export const PRIVACY_NOTICE_URL_PATH = '/privacy.html';
/** The notice in each language: English at the path above, the others at privacy.<lang>.html. */
export function privacyNoticePaths(lang: string): { file: string; urlPath: string } {
  if (lang === 'en') return { file: PRIVACY_NOTICE_FILE, urlPath: PRIVACY_NOTICE_URL_PATH };
  return { file: `/usr/share/jitsi-eu/www/privacy.${lang}.html`, urlPath: `/privacy.${lang}.html` };
}
/** jitsi-eu's own Prosody modules. */
export const PROSODY_PLUGIN_DIR = '/usr/share/jitsi-eu/prosody-plugins';
/** Jitsi's Prosody modules, installed by jitsi-meet-prosody. */
export const JITSI_PROSODY_PLUGIN_DIR = '/usr/share/jitsi-meet/prosody-plugins';
/** Boot scripts and their state. */
export const BOOT_DIR = '/usr/local/lib/jitsi-eu';
export function webConfigPath(domain: string): string {
  return `/etc/jitsi/meet/${domain}-config.js`;
}
export function interfaceConfigPath(domain: string): string {
  return `/etc/jitsi/meet/${domain}-interface_config.js`;
}
/** Sections of the privacy notice page that config.js legalUrls point at (terms, help). */
export const PRIVACY_NOTICE_ANCHORS = { terms: 'terms', help: 'help' } as const;
/** Written by the boot script once every service passed its health wait; nginx serves it. */
export const READY_FILE = '/var/lib/jitsi-eu/www/ready';
/** HTTPS path that answers 200 `ok` once the host is ready (404 before); deploy polls it. */
export const READY_URL_PATH = '/_jitsi-eu/ready';
/** nginx site of the meeting domain; the signaling boot script links it into sites-enabled. */
export function nginxSitePath(domain: string): string {
  return `/etc/nginx/sites-available/${domain}.conf`;
}
/** Account on the main XMPP host for secure-domain auth; its password is the `host-password` secret. */
export const HOST_ACCOUNT_USERNAME = 'host';
/** Keeps package scripts from starting services during the first boot; the boot script removes it. */
export const POLICY_RC_D = '/usr/sbin/policy-rc.d';
/** cloud-init's log of the first boot (user data, packages, boot script). */
export const CLOUD_INIT_OUTPUT_LOG = '/var/log/cloud-init-output.log';

/** Hetzner Cloud and OpenStack: the nftables rule that keeps the metadata service to root, and its unit. */
export const METADATA_GUARD_UNIT = 'jitsi-eu-metadata-guard.service';
export const METADATA_GUARD_RULES_PATH = '/etc/jitsi-eu/metadata-guard.nft';
export const METADATA_GUARD_UNIT_PATH = `/etc/systemd/system/${METADATA_GUARD_UNIT}`;
