import type { RenderInput } from './input.ts';
import type { BundleFile } from './types.ts';

// PLACEHOLDER: replaced by the component's real renderer.
export function renderCoturn(_input: RenderInput): BundleFile[] {
  return [];
}
