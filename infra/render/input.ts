import type { DeploymentSpec } from '../spec/types.ts';
import type { PrivacyProfile } from '../privacy/types.ts';
import type { TemplateEngine } from './engine.ts';
import type { JitsiHosts } from './hosts.ts';
import type { BundleFile } from './types.ts';

/** What every component renderer receives. */
export interface RenderInput {
  spec: DeploymentSpec;
  hosts: JitsiHosts;
  profile: PrivacyProfile;
  engine: TemplateEngine;
}

export type ComponentRenderer = (input: RenderInput) => BundleFile[];
