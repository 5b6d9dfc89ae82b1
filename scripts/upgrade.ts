// npm run upgrade -- --stack NAME ...: see scripts/upgrade/main.ts.
import { runCli } from './lib/cli.ts';
import { upgradeMain } from './upgrade/main.ts';

await runCli(() => upgradeMain(process.argv.slice(2)));
