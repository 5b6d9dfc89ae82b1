// npm run doctor: see scripts/doctor/main.ts.
import { runCli } from './lib/cli.ts';
import { doctorMain } from './doctor/main.ts';

await runCli(() => doctorMain(process.argv.slice(2)));
