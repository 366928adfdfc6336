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
 */
import { postSigned, slashBody } from '../test/slack/slack-requests.js';

const o = JSON.parse(process.argv[2]) as { base: string; secret: string; apiUrl: string; warmup: number; first?: string; text: string; commands: number; concurrency: number };
const fake = { url: o.apiUrl };
let failures = 0;
const send = async (text: string) => {
  const res = await postSigned(o.base, o.secret, slashBody(fake, text));
  await res.text();
  if (res.status !== 200) failures++;
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
    const res = await postSigned(o.base, o.secret, body);
    await res.text();
    latencies.push(performance.now() - t);
    if (res.status !== 200) failures++;
  }
};
await Promise.all(Array.from({ length: o.concurrency }, worker));
process.send!({ latencies, failures, passStartedAt }, () => process.exit(0));
