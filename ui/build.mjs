// build.mjs — `npm run build`: compiles ui/src with esbuild into
//   public/js/app.js        the app's bundle (embedded by the Tauri app): `__KW_MOCK__` = false, so the branch that
//                           loads the mock backend is dead and neither it nor the mock's module is in the bundle
//   build/browser/js/app.js the test bundle (`__KW_MOCK__` = true: the mock backend in a plain browser), served
//                           over public/ by test/serve.mjs for the browser tests
//   build/node/             every module on its own, for the logic tests in Node (20.10+: the mock imports the
//                           generated field schema as JSON with an import attribute)
import { cpSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const UI = path.dirname(fileURLToPath(import.meta.url));
const SRC = path.join(UI, 'src');
const common = { format: 'esm', target: 'es2020', logLevel: 'warning' };

const bundle = (outfile, mock) =>
  esbuild.build({ ...common, entryPoints: [path.join(SRC, 'main.ts')], bundle: true, minifySyntax: true, outfile, define: { __KW_MOCK__: String(mock) } });

const modules = readdirSync(SRC, { recursive: true }).filter((f) => f.endsWith('.ts')).map((f) => path.join(SRC, f));

await Promise.all([
  bundle(path.join(UI, 'public', 'js', 'app.js'), false),
  bundle(path.join(UI, 'build', 'browser', 'js', 'app.js'), true),
  esbuild.build({ ...common, target: 'node20.10', entryPoints: modules, outdir: path.join(UI, 'build', 'node'), outbase: SRC, define: { __KW_MOCK__: 'true' } }),
]);
// the mock backend's module imports the generated schema from beside it
cpSync(path.join(SRC, 'generated'), path.join(UI, 'build', 'node', 'generated'), { recursive: true });
