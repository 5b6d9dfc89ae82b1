import type { DeploymentSpec } from '../../spec/types.ts';
import type { PrivacySetting } from '../types.ts';

// PLACEHOLDER: replaced by the component's real settings.
export function prosodySettings(_spec: DeploymentSpec): PrivacySetting[] {
  return [];
}
