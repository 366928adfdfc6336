/**
 * Bundle the compiled CLI (dist/src/cli.js, from `tsc`) into one module graph, in place: the
 * entry dist/src/cli.js plus shared chunks in dist/src/cli-chunks/. Run by `npm run build` after
 * `tsc`. Why: Node 20 has no compile cache for ES modules, and a pass used to load ~300 module
 * files (zod alone is 246) before doing anything: bundled, `breakfix pass` starts ~40-50 ms
 * sooner and `breakfix --help` too. Subcommands stay lazily loaded (code splitting keeps each
 * `await import()` a chunk of its own).
 *
 * Not bundled (external, loaded from node_modules as before): packages that load files of their
 * own at run time or are large and rarely needed by a pass — @slack/bolt and its ws, pino (its
 * transports run in worker threads), piscina (its worker file), ssh2, prom-client, tar, croner,
 * p-limit. The worker-thread entries (dist/src/pass/parse-worker.js, dist/src/pass/write-worker.js,
 * dist/src/slack/command-worker.js) keep running from tsc's output.
 */
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

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
rmSync('dist/src/cli-chunks', { recursive: true, force: true });
await build({
  entryPoints: { cli: 'dist/src/cli.js' },
  outdir: 'dist/src',
  chunkNames: 'cli-chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  allowOverwrite: true,
  // Bundled CommonJS (commander) calls require(); give the ES module one.
  banner: { js: "import { createRequire as __breakfixRequire } from 'node:module'; const require = __breakfixRequire(import.meta.url);" },
  logLevel: 'warning',
  plugins: [onlyEnglishZodMessages],
});
