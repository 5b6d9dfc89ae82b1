// Starts Debian's Chromium through playwright-core (no downloaded browser) the way verify needs it:
// headless, fake camera and microphone, no background traffic of its own, the deployment's name
// mapped to the address under test, and every other name unresolvable so the browser never
// contacts a third party while verify records that the page tried to.
//
// Trust: --ignore-certificate-errors would hide exactly the TLS faults verify looks for. Instead,
// verify first validates the served certificate in Node (with the --ca certificates), and only
// then passes that one leaf's public-key hash to --ignore-certificate-errors-spki-list, so the
// browser accepts that exact key and nothing else.
import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export interface LaunchOptions {
  host: string;
  /** Connect to this address for `host` (from --resolve or DNS). */
  ip?: string;
  /** Base64 SHA-256 hashes of SubjectPublicKeyInfo the browser may accept without a known CA. */
  pinnedSpki?: readonly string[];
  executablePath?: string;
  timeoutMs: number;
}

export interface LaunchedBrowser {
  browser: Browser;
  close(): Promise<void>;
}

export function chromiumArgs(options: LaunchOptions): string[] {
  const rules = options.ip
    ? `MAP ${options.host} ${options.ip.includes(':') ? `[${options.ip}]` : options.ip}, MAP * ~NOTFOUND`
    : `MAP * ~NOTFOUND, EXCLUDE ${options.host}`;
  return [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    '--autoplay-policy=no-user-gesture-required',
    '--mute-audio',
    '--lang=en-US',
    `--host-resolver-rules=${rules}`,
    ...(options.pinnedSpki && options.pinnedSpki.length > 0 ? [`--ignore-certificate-errors-spki-list=${options.pinnedSpki.join(',')}`] : []),
  ];
}

export function findChromium(path: string = DEFAULT_CHROMIUM): string {
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    throw new Error(`Chromium not found at ${path}: install Debian's chromium package (apt-get install chromium) or pass its path`);
  }
}

export async function launchChromium(options: LaunchOptions): Promise<LaunchedBrowser> {
  const executablePath = findChromium(options.executablePath);
  // Playwright starts Chromium with a fresh temporary profile (--user-data-dir) and removes it on close.
  const browser: Browser = await chromium.launch({
    executablePath,
    headless: true,
    args: chromiumArgs(options),
    timeout: options.timeoutMs,
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
}
