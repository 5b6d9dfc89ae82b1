// One rehearsed first boot, start to verdict: the role's user data and parameters, the host
// booted, the ready marker awaited within a hard bound, and the phase timings read from its logs.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostRole } from '../../infra/render/types.ts';
import type { SecretName } from '../../infra/secrets.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { type BootFailure, type RehearsalHost, bootHost, checkRehearsalMachine } from './host.ts';
import type { PrivateService } from './standins/server.ts';
import { type PhaseTiming, bootPhases } from './phases.ts';
import { debianMirror, rehearsalCacheDir } from './root.ts';
import { REHEARSAL_BUNDLE_BUCKET, rehearsalArchive, rehearsalChannelKey, rehearsalDelivery, rehearsalParameters, rehearsalUserData } from './user-data.ts';

/** A first boot that has not written its marker after this long is a hang. */
export const DEFAULT_BOOT_BOUND_SECONDS = 600;

export interface RehearsalOptions {
  spec: DeploymentSpec;
  role: HostRole;
  failure?: BootFailure;
  /** A secret the stand-in SSM does not hold. */
  missingSecret?: SecretName;
  /** Hetzner, OpenStack: another host's private-network services, answered by the caller's server. */
  privateServices?: PrivateService[];
  /** Variables for the boot's scripts (see HostOptions.bootEnvironment). */
  bootEnvironment?: Record<string, string>;
  boundSeconds?: number;
  progress?: (line: string) => void;
}

export interface Rehearsal {
  host: RehearsalHost;
  /** The ready marker (`ok` or `failed: <step>`), or undefined when the bound passed first. */
  marker?: string;
  /** Seconds from start to the marker (or to the bound). */
  seconds: number;
  phases: PhaseTiming[];
  /** The SSM parameters the stand-in held (name → value): no value may appear in any log. */
  parameters: Record<string, string>;
  /** The private channel key (PKCS#8 PEM) whose public half the user data carries (signaling node outside AWS). */
  channelPrivateKey?: string;
}

const readIf = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');

/** The host's own logs of the boot so far. */
export function hostLogs(host: RehearsalHost): { cloudInit: string; output: string } {
  return {
    cloudInit: readIf(join(host.root, 'var/log/cloud-init.log')),
    output: readIf(join(host.root, 'var/log/cloud-init-output.log')),
  };
}

export async function rehearse(options: RehearsalOptions): Promise<Rehearsal> {
  checkRehearsalMachine();
  const { spec, role } = options;
  const parameters = rehearsalParameters(spec, role, options.missingSecret);
  const channelKey = rehearsalChannelKey(spec, role);
  const host = await bootHost({
    spec,
    role,
    userData: rehearsalUserData(spec, role, channelKey?.line),
    parameters,
    bundleBucket: REHEARSAL_BUNDLE_BUCKET,
    delivery: rehearsalDelivery(spec, rehearsalArchive(spec, role)),
    ...(options.failure ? { failure: options.failure } : {}),
    ...(options.privateServices ? { privateServices: options.privateServices } : {}),
    ...(options.bootEnvironment ? { bootEnvironment: options.bootEnvironment } : {}),
    cacheDir: rehearsalCacheDir(),
    mirror: debianMirror(),
    ...(options.progress ? { progress: options.progress } : {}),
  });
  const startedAt = Date.now() - host.elapsed() * 1000;
  try {
    const marker = await host.waitForMarker(options.boundSeconds ?? DEFAULT_BOOT_BOUND_SECONDS);
    const seconds = host.elapsed();
    if (!marker && !host.running()) {
      // systemd-nspawn gave up: this machine cannot boot a container (no cgroups, no overlayfs...).
      throw new Error(`the host stopped after ${seconds.toFixed(0)} s without a ready marker; its console ended with:\n${host.console().trim().split('\n').slice(-15).join('\n')}`);
    }
    const logs = hostLogs(host);
    const phases = bootPhases(logs.cloudInit, logs.output, startedAt, marker === 'ok\n' ? startedAt + seconds * 1000 : undefined);
    return { host, ...(marker ? { marker } : {}), seconds, phases, parameters, ...(channelKey ? { channelPrivateKey: channelKey.privateKeyPem } : {}) };
  } catch (error) {
    await host.stop();
    throw error;
  }
}
