/**
 * Bundle the compiled command line (dist/src/cli-main.js, from `tsc`) into one CommonJS script,
 * dist/src/cli-main.cjs, which the `breakfix` entry (dist/src/cli.js, src/cli.ts) runs with a V8
 * code cache (src/code-cache.ts; the cache is made next by scripts/code-cache.mjs). Run by `npm
 * run build` after `tsc`.
 *
 * Why one script: a pass used to load ~300 module files (zod alone is 246) before doing anything,
 * and Node 20 caches no compiled code for ES modules; `node:vm` can for a script. Bundled as ES
 * modules with code splitting (until 2026-12-07), `breakfix pass` started ~40-50 ms sooner than
 * unbundled; as this script with its cache, it reaches the pass ~60-90 ms sooner again. Modules
 * of subcommands are still run only when their subcommand runs (esbuild turns each `await
 * import()` into a call of the module's init function); only their compiling is no longer lazy,
 * and the cache makes that cheap.
 *
 * Not bundled (external, loaded from node_modules as before): packages that load files of their
 * own at run time or are large and rarely needed by a pass — @slack/bolt and its ws, pino (its
 * transports run in worker threads), piscina (its worker file), ssh2, prom-client, tar, croner,
 * p-limit. The worker-thread entries (dist/src/pass/parse-worker.js, dist/src/pass/write-worker.js,
 * dist/src/slack/command-worker.js) keep running from tsc's output.
 */
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

/**
 * zod re-exports every one of its ~60 message locales through its \`z\` namespace (\`z.locales\`), so a
 * bundle holds all of them (340 KB of source, most of it outside ASCII, which every start-up
 * scans) though breakfix only ever uses the English one zod configures itself with. Its locales
 * index is bundled as that one locale.
 */
const onlyEnglishZodMessages = {
  name: 'only-english-zod-messages',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({
      contents: 'export { default as en } from "./en.js";\n',
      loader: 'js',
      resolveDir: 'node_modules/zod/v4/locales',
    }));
  },
};

const external = ['@slack/bolt', '@slack/*', 'ws', 'pino', 'piscina', 'ssh2', 'prom-client', 'tar', 'croner', 'p-limit'];
// The ES-module bundle of earlier builds. (The code cache of an earlier bundle may stay: it starts
// with that bundle's digest, so it is never used for this one, and scripts/code-cache.mjs replaces it.)
rmSync('dist/src/cli-chunks', { recursive: true, force: true });
await build({
  entryPoints: ['dist/src/cli-main.js'],
  outfile: 'dist/src/cli-main.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external,
  // A CommonJS script has no import.meta: its modules' own URL is the bundle's (src/paths.ts
  // searches up from it for package.json; ssh2 is required from it).
  define: { 'import.meta.url': '__breakfixBundleUrl' },
  banner: { js: "const __breakfixBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
  plugins: [onlyEnglishZodMessages],
});

// esbuild writes code in ASCII (its default charset escapes every other character in strings,
// templates, regular expressions and names) but copies some comments as they are, with their
// arrows and dashes. A bundle that is all ASCII decodes ~2.5× faster (3 vs 7.5 ms at 1.4 MB) and
// is a one-byte string to V8: the comments' other characters become `?`.
const bundlePath = 'dist/src/cli-main.cjs';
const text = readFileSync(bundlePath, 'utf8');
if (/[^\x00-\x7f]/.test(text)) writeFileSync(bundlePath, text.replace(/[^\x00-\x7f]/g, '?'));
