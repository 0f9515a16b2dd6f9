// `npm run check-config -- [<flightdeck.yaml>] | --values <helm values>`: validates a config with the bot's own loader, one line per problem.
// The loader is TypeScript under src/config; esbuild bundles it (with yaml and zod) into a file of this run, imported and removed.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outfile = join(root, 'dist/check-config', `check-config.${process.pid}.js`);
mkdirSync(join(root, 'dist/check-config'), { recursive: true });
let checker;
try {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [join(root, 'src/config/checkConfig.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __flightdeckRequire } from 'node:module'; const require = __flightdeckRequire(import.meta.url);" },
  });
  await esbuild.stop();
  checker = await import(pathToFileURL(outfile).href);
} finally {
  rmSync(outfile, { force: true });
}

// npm runs scripts in the package folder; paths on the command line are meant from where the user typed them.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
// As `npm start` does: FLIGHTDECK_CONFIG may be set in ./.env; the environment wins.
if (existsSync('.env')) process.loadEnvFile('.env');
const result = checker.checkConfigCommand(process.argv.slice(2), process.env);
process.stdout.write(`${result.lines.join('\n')}\n`);
process.exitCode = result.ok ? 0 : 1;
