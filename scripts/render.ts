// `npm run render`: renders every configuration file of a stack (and its cloud-init user data) to
// a directory, offline, without touching any cloud. The same stack always gives the same bytes.
import { resolve } from 'node:path';
import type { WrittenFile } from '../infra/render/write.ts';
import { PROJECT_DIR } from '../infra/spec/index.ts';
import { EXIT, UsageError, loadSpecOrThrow, parseCliOrHelp, printJson, progress, renderTable, runCli, stackFileFromArgs, style, warn } from './lib/cli.ts';

const USAGE = `Usage: npm run render -- (--config PATH | --stack NAME) [--out DIR] [--json]
       npm run render -- --privacy-table

Renders every file a deployment puts on its hosts, plus manifest.json and the cloud-init user
data of each host role, into a directory. Nothing is sent anywhere and no secret is involved:
files carry placeholders that the hosts fill at boot.

Options:
  --config PATH     stack file to render (Pulumi.<stack>.yaml)
  --stack NAME      same as --config Pulumi.NAME.yaml in the project directory
  --out DIR         output directory (default: out/<stack> in the project directory); an existing
                    directory is replaced only if it is empty or an earlier render
  --json            print {stack, out, files, warnings} as JSON on stdout
  --privacy-table   print the README's privacy table (Markdown) for the default settings
  -h, --help        show this help

Exit codes: 0 rendered, 2 invalid stack file or arguments (nothing is written).`;

const OPTIONS = {
  config: { type: 'string' },
  stack: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean', default: false },
  'privacy-table': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

async function main(): Promise<number> {
  const parsed = parseCliOrHelp(process.argv.slice(2), OPTIONS, USAGE);
  if (!parsed) return EXIT.OK;
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw new UsageError([`unexpected argument ${positionals[0]}: give the stack file with --config PATH`, '', USAGE]);
  if (values['privacy-table']) {
    const { readmePrivacyTable } = await import('../infra/privacy/table.ts');
    process.stdout.write(readmePrivacyTable());
    return EXIT.OK;
  }

  const { spec, warnings, source } = loadSpecOrThrow(stackFileFromArgs(values));
  // The renderers (templates, Handlebars) load once the arguments and the stack are known to be good.
  const [{ renderBundle }, { USER_DATA_MAX_BYTES, userDataGzip }, { OutDirError, writeBundle }] = await Promise.all([
    import('../infra/render/bundle.ts'),
    import('../infra/render/cloud-init.ts'),
    import('../infra/render/write.ts'),
  ]);
  for (const warning of warnings) warn(warning);
  const out = values.out ? resolve(values.out) : resolve(PROJECT_DIR, 'out', spec.stack);

  progress(`rendering ${spec.stack} (${source})`);
  const bundle = renderBundle(spec);
  let files: WrittenFile[];
  try {
    files = writeBundle(bundle, out);
  } catch (error) {
    if (error instanceof OutDirError) throw new UsageError([`--out ${error.message}`]);
    throw error;
  }

  const userData = bundle.files
    .filter((f) => f.component === 'cloud-init')
    .map((f) => ({ role: f.roles[0]!, gzipBytes: userDataGzip(f.content).length }));
  for (const { role, gzipBytes } of userData.filter((u) => u.gzipBytes > USER_DATA_MAX_BYTES)) {
    warn(`the ${role} user data is ${gzipBytes} bytes gzipped; EC2 accepts at most ${USER_DATA_MAX_BYTES}: a deploy of this stack would fail`);
  }

  if (values.json) {
    printJson({ stack: spec.stack, out, files, warnings });
    return EXIT.OK;
  }
  process.stdout.write(
    `${renderTable(
      ['path', 'component', 'roles', 'mode', 'bytes'],
      files.map((f) => [f.path, f.component, f.roles.join(','), f.mode, String(f.bytes)]),
    )}\n`,
  );
  for (const { role, gzipBytes } of userData) {
    process.stdout.write(`${role} user data: ${gzipBytes} of ${USER_DATA_MAX_BYTES} bytes gzipped\n`);
  }
  process.stdout.write(`${style.ok('rendered')} ${files.length} files for ${spec.stack} into ${out}\n`);
  return EXIT.OK;
}

await runCli(main);
