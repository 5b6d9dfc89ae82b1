// The first deploy of a stack records its Debian image(s) in Pulumi.<stack>.yaml before the
// preview, so the preview shows, and the update uses, exactly the recorded image; later deploys
// find it there and never move it (npm run upgrade does). Nothing is kept when the deploy stops
// before its update: a preview only, a refusal, a failed preview.
import { basename } from 'node:path';
import { imagePins } from '../../infra/aws/image-pins.ts';
import { stackFileFor } from '../../infra/spec/index.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { editStackFile, restoreStackFile, type StackFileEdit } from '../lib/stack-file-edit.ts';
import { type ImageChoice, type ImageSource, imageChoiceLines, imagesToRecord } from '../lib/stack-images.ts';
import type { StackOutputs, Workspace } from '../lib/workspace.ts';

export interface RecordedImages {
  edit: StackFileEdit;
  choices: ImageChoice[];
  /** What the preview says about them. */
  lines: string[];
}

/** Records the images the stack file does not name yet; undefined when it names them all. */
export async function recordMissingImages(
  spec: DeploymentSpec,
  workspace: Workspace,
  openSource: (spec: DeploymentSpec) => Promise<ImageSource>,
): Promise<RecordedImages | undefined> {
  if (imagePins(spec).every((pin) => pin.id)) return undefined;
  const source = await openSource(spec);
  try {
    // A stack deployed before images were recorded keeps the image its hosts run.
    const outputs = await workspace.outputs(spec.stack).catch((): StackOutputs => ({}));
    const choices = await imagesToRecord(spec, source, outputs);
    const file = stackFileFor(spec.stack);
    const edit = editStackFile(file, Object.fromEntries(choices.map((c) => [c.key, c.image.id])));
    return { edit, choices, lines: imageChoiceLines(choices, basename(file)) };
  } finally {
    source.close();
  }
}

export function forgetRecordedImages(recorded: RecordedImages | undefined): void {
  if (recorded) restoreStackFile(recorded.edit);
}

export function recordedImagesText(recorded: RecordedImages | undefined): string {
  return recorded ? `\nDebian image:\n${recorded.lines.map((l) => `  ${l}\n`).join('')}` : '';
}
