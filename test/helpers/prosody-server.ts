// A stack's rendered Prosody 0.12 running on loopback: the rendered files, adapted only where a
// test must (its own data dir, pid and log files, free ports, plugin paths, values a host fills
// in), with Jitsi's modules from the test stand-ins. For tests that need a live server and real
// XMPP clients; test/integration/prosody.test.ts checks the configuration itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { privacyProfile } from '../../infra/privacy/profile.ts';
import { BOOT_VALUES } from '../../infra/placeholders.ts';
import { createEngine } from '../../infra/render/engine.ts';
import { jitsiHosts } from '../../infra/render/hosts.ts';
import { JITSI_PROSODY_PLUGIN_DIR, PROSODY_PLUGIN_DIR } from '../../infra/render/paths.ts';
import { PROSODY_MAIN_CONFIG, prosodyHostConfigPath, renderProsody } from '../../infra/render/prosody.ts';
import { secretPlaceholder } from '../../infra/secrets.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { captureOutput, stopChild, waitForTcp } from './child-process.ts';
import { freePort, requireTool } from './tools.ts';

const PLUGIN_STUB = fileURLToPath(new URL('../fixtures/prosody/jitsi-plugins-stub/', import.meta.url));

export interface ProsodyServer {
  /** The rendered (and adapted) main configuration: `prosodyctl --config` takes it. */
  configPath: string;
  /** Prosody's data_path. */
  dataDir: string;
  /** Prosody's WebSocket endpoint, as browsers reach it through nginx. */
  websocket: string;
  stop(): Promise<void>;
}

/** The rendered config of `spec` under `dir`, set up to run with its data in `dataDir`. */
export async function prepareProsody(dir: string, spec: DeploymentSpec, dataDir: string): Promise<{ configPath: string; ports: { c2s: number; http: number } }> {
  if (spec.auth === 'jwt') throw new Error('prepareProsody: JWT stacks need their app secret; see prosody.test.ts');
  const profile = privacyProfile(spec);
  const engine = createEngine({ settings: profile.settings });
  const root = join(dir, 'root');
  for (const file of renderProsody({ spec, hosts: jitsiHosts(spec), profile, engine })) {
    const target = join(root, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
  }
  const ports = { c2s: await freePort(), http: await freePort() };
  const configPath = join(root, PROSODY_MAIN_CONFIG);
  const main = readFileSync(configPath, 'utf8')
    .replace(/^pidfile = .*$/m, `pidfile = ${JSON.stringify(join(dir, 'prosody.pid'))}`)
    .replace(/^log = .*$/m, `log = { warn = ${JSON.stringify(join(dir, 'prosody.log'))} }`)
    .replace(/^c2s_ports = .*$/m, `c2s_ports = { ${ports.c2s} }`)
    .replace(/^http_ports = .*$/m, `http_ports = { ${ports.http} }`)
    .split(BOOT_VALUES.localIpv4)
    .join('127.0.0.1')
    .replace(/^Include /m, `data_path = ${JSON.stringify(dataDir)}\n${process.getuid?.() === 0 ? 'run_as_root = true\n' : ''}Include `);
  writeFileSync(configPath, main);
  const hostPath = join(root, prosodyHostConfigPath(spec.domain));
  const host = readFileSync(hostPath, 'utf8')
    .split(JSON.stringify(PROSODY_PLUGIN_DIR))
    .join(JSON.stringify(join(root, PROSODY_PLUGIN_DIR)))
    .split(JSON.stringify(JITSI_PROSODY_PLUGIN_DIR))
    .join(JSON.stringify(PLUGIN_STUB))
    .split(secretPlaceholder('turn-secret'))
    .join('test-turn-secret');
  writeFileSync(hostPath, host);
  mkdirSync(dataDir, { recursive: true });
  return { configPath, ports };
}

/** Starts Prosody from a prepared config and waits until it accepts client connections. */
export async function startProsody(dir: string, spec: DeploymentSpec, dataDir = join(dir, 'data')): Promise<ProsodyServer> {
  const { configPath, ports } = await prepareProsody(dir, spec, dataDir);
  const child: ChildProcess = spawn(requireTool('prosody'), ['--config', configPath, '-F'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = captureOutput(child);
  const log = () => `${output()}\n${existsSync(join(dir, 'prosody.log')) ? readFileSync(join(dir, 'prosody.log'), 'utf8') : ''}`;
  try {
    await waitForTcp(ports.c2s, child, 'prosody', log, 20_000);
    await waitForTcp(ports.http, child, 'prosody', log, 20_000);
  } catch (error) {
    await stopChild(child, 'SIGKILL');
    throw error;
  }
  return { configPath, dataDir, websocket: `ws://127.0.0.1:${ports.http}/xmpp-websocket`, stop: () => stopChild(child) };
}
