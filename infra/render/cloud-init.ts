import type { RenderInput } from './input.ts';
import type { BundleFile } from './types.ts';

// PLACEHOLDER: replaced by the real renderer. Receives every other file of the bundle.
export function renderCloudInit(_input: RenderInput, _files: readonly BundleFile[]): BundleFile[] {
  return [];
}
