/**
 * The load generator of `npm run bench:slack`, in its own process so that the time it measures
 * is not the fake Slack API's (which runs in the parent, receiving the bot's replies). Started
 * with `fork()` and a JSON argument `{ base, secret, apiUrl, warmup, first, text, commands,
 * concurrency }`: warms the bot up with `warmup` unmeasured `/breakfix help` (a bot that has run
 * for hours has its code compiled and its connections open; the benchmark is about a pass, not
 * start-up), sends `/breakfix <first>` (the pass), then `commands` signed slash commands
 * `/breakfix <text>`, `concurrency` at a time, and sends the parent `{ latencies, failures,
 * passStartedAt }` (each request's time to the HTTP acknowledgement, ms; when the pass was sent,
 * ms since the epoch).
 *
 * Requests go out through `node:http` (a new connection each, as `Agent` without keep-alive
 * does), not `fetch`: on two shared cores, undici's per-request work in this process added
 * 40–70 ms to every measured acknowledgement, even against a server that answers at once (see
 * the floor round of bench/slack-bench.ts and README.md, Benchmark). Each latency runs from before the body is
 * signed to the response's last byte.
 */
import { request } from 'node:http';
import { signedHeaders, slashBody } from '../test/slack/slack-requests.js';

const o = JSON.parse(process.argv[2]) as { base: string; secret: string; apiUrl: string; warmup: number; first?: string; text: string; commands: number; concurrency: number };
const fake = { url: o.apiUrl };
const target = new URL('/slack/events', o.base);
let failures = 0;

/** POST one signed slash-command body; resolves with the HTTP status once the response has ended. */
function postSigned(body: string): Promise<number> {
  return new Promise((done, fail) => {
    const req = request(target, { method: 'POST', headers: { ...signedHeaders(body, o.secret), 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(body);
  });
}

const send = async (text: string) => {
  if ((await postSigned(slashBody(fake, text))) !== 200) failures++;
};
for (let i = 0; i < o.warmup; i += o.concurrency) await Promise.all(Array.from({ length: Math.min(o.concurrency, o.warmup - i) }, () => send('help')));
failures = 0;
const passStartedAt = Date.now();
if (o.first) await send(o.first);
const latencies: number[] = [];
let next = 0;
const worker = async () => {
  while (next < o.commands) {
    next++;
    const body = slashBody(fake, o.text);
    const t = performance.now();
    const status = await postSigned(body);
    latencies.push(performance.now() - t);
    if (status !== 200) failures++;
  }
};
await Promise.all(Array.from({ length: o.concurrency }, worker));
process.send!({ latencies, failures, passStartedAt }, () => process.exit(0));
