// npm run rotate -- --stack NAME: see scripts/rotate/main.ts.
import { runCli } from './lib/cli.ts';
import { rotateMain } from './rotate/main.ts';

await runCli(() => rotateMain(process.argv.slice(2)));
