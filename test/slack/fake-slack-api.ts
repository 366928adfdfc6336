/**
 * A local fake of the Slack Web API for tests: HTTP on 127.0.0.1, reached through Bolt's
 * `clientOptions.slackApiUrl`. Records every call (method and arguments) and answers like Slack
 * for the methods the bot uses; any other method answers `unknown_method` and is recorded too, so
 * a test can fail on a call it did not expect. Paths outside `/api/` (response URLs) are recorded
 * as `response_url`.
 *
 * Socket Mode: `apps.connections.open` hands out a WebSocket URL on the same server; the fake
 * speaks just enough of RFC 6455 (text frames, ping/pong) to say `hello`, push envelopes
 * ({@link FakeSlackApi.pushEnvelope}) and record what the bot sends back ({@link FakeSlackApi.socketReplies}).
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One recorded call. */
export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  /** What the fake answered. */
  response: Record<string, unknown>;
  /** The request path (a response URL's is how a test tells which command it answers). */
  path: string;
}

const KNOWN = ['auth.test', 'chat.postMessage', 'chat.update', 'chat.postEphemeral', 'apps.connections.open', 'usergroups.users.list'] as const;

export class FakeSlackApi {
  readonly calls: RecordedCall[] = [];
  private server: Server | undefined;
  private nextTs = 1_700_000_000;
  /** `http://127.0.0.1:<port>/api/` once started. */
  url = '';
  /** JSON messages the bot sent over the Socket Mode connection (envelope acks). */
  readonly socketReplies: Record<string, unknown>[] = [];
  private sockets: Socket[] = [];
  /** User groups for `usergroups.users.list`: group id → member user ids. */
  readonly userGroups: Record<string, string[]> = {};
  /** Tokens Slack does not accept (revoked, mistyped): every call with one answers `invalid_auth`. */
  readonly refusedTokens = new Set<string>();
  /**
   * Channels the bot is not a member of (or DMs it is not in): `chat.postMessage` answers
   * `not_in_channel` and `chat.postEphemeral` `channel_not_found`, as Slack does
   * (https://docs.slack.dev/reference/methods/chat.postMessage#errors, …/chat.postEphemeral#errors).
   */
  readonly channelsWithoutBot = new Set<string>();

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const args = parseBody(raw, String(req.headers['content-type'] ?? ''));
        const path = (req.url ?? '/').split('?')[0];
        const method = path.startsWith('/api/') ? path.slice('/api/'.length) : 'response_url';
        const token = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1] ?? args.token;
        const response = method !== 'response_url' && typeof token === 'string' && this.refusedTokens.has(token) ? { ok: false, error: 'invalid_auth' } : this.answer(method, args);
        this.calls.push({ method, args, response, path });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(response));
      });
    });
    this.server.on('upgrade', (req, socket: Socket) => {
      const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      this.sockets.push(socket);
      let buffered = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        for (let frame = readFrame(buffered); frame; frame = readFrame(buffered)) {
          buffered = buffered.subarray(frame.size);
          if (frame.opcode === 0x1) this.socketReplies.push(JSON.parse(frame.payload.toString('utf8')) as Record<string, unknown>);
          else if (frame.opcode === 0x9) socket.write(writeFrame(frame.payload, 0xa));
          // A close is answered with a close (RFC 6455 §5.5.1): without it the bot's WebSocket waits 30 s to give up.
          else if (frame.opcode === 0x8) socket.end(writeFrame(frame.payload.subarray(0, 2), 0x8));
        }
      });
      socket.on('error', () => {});
      socket.write(writeFrame(Buffer.from(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake', approximate_connection_time: 18060 }, connection_info: { app_id: 'A123456' } }))));
    });
    await new Promise<void>((done) => this.server!.listen(0, '127.0.0.1', done));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/`;
    return this.url;
  }

  /** Push a Socket Mode envelope to every connected bot. */
  pushEnvelope(envelope: Record<string, unknown>): void {
    for (const s of this.sockets) s.write(writeFrame(Buffer.from(JSON.stringify(envelope))));
  }

  /** Bots connected over Socket Mode. */
  get connections(): number {
    return this.sockets.filter((s) => !s.destroyed).length;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((done) => (this.server ? this.server.close(() => done()) : done()));
  }

  /** Calls of one method. */
  of(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Calls of methods the fake does not implement (a test should expect none). */
  unknown(): RecordedCall[] {
    return this.calls.filter((c) => c.method !== 'response_url' && !(KNOWN as readonly string[]).includes(c.method));
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'auth.test': return { ok: true, url: 'https://example.slack.com/', team: 'Example', user: 'breakfix', team_id: 'T0001', user_id: 'UBOT0001', bot_id: 'BBOT0001' };
      case 'chat.postMessage':
        if (this.channelsWithoutBot.has(String(args.channel))) return { ok: false, error: 'not_in_channel' };
        return { ok: true, channel: args.channel, ts: `${this.nextTs++}.000100`, message: { text: args.text } };
      case 'chat.update': return { ok: true, channel: args.channel, ts: args.ts, text: args.text };
      case 'chat.postEphemeral':
        if (this.channelsWithoutBot.has(String(args.channel))) return { ok: false, error: 'channel_not_found' };
        return { ok: true, message_ts: `${this.nextTs++}.000200` };
      case 'usergroups.users.list': {
        // https://docs.slack.dev/reference/methods/usergroups.users.list
        const members = this.userGroups[String(args.usergroup)];
        return members ? { ok: true, users: members } : { ok: false, error: 'no_such_subteam' };
      }
      case 'apps.connections.open': return { ok: true, url: this.url.replace(/^http/, 'ws').replace(/api\/$/, 'link') };
      case 'response_url': return { ok: true };
      default: return { ok: false, error: 'unknown_method' };
    }
  }
}

/** Web API bodies are form-encoded with JSON-valued fields (blocks), or JSON. */
function parseBody(raw: string, type: string): Record<string, unknown> {
  if (!raw) return {};
  if (type.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    out[k] = /^[[{]/.test(v) ? safeJson(v) : v;
  }
  return out;
}

function safeJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** One WebSocket frame from the start of `buf` (client frames are masked), or undefined when incomplete. */
function readFrame(buf: Buffer): { opcode: number; payload: Buffer; size: number } | undefined {
  if (buf.length < 2) return undefined;
  let len = buf[1] & 0x7f;
  let at = 2;
  if (len === 126) {
    if (buf.length < 4) return undefined;
    len = buf.readUInt16BE(2);
    at = 4;
  } else if (len === 127) {
    if (buf.length < 10) return undefined;
    len = Number(buf.readBigUInt64BE(2));
    at = 10;
  }
  const masked = (buf[1] & 0x80) !== 0;
  const mask = masked ? buf.subarray(at, at + 4) : undefined;
  if (masked) at += 4;
  if (buf.length < at + len) return undefined;
  const payload = Buffer.from(buf.subarray(at, at + len));
  if (mask) for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
  return { opcode: buf[0] & 0x0f, payload, size: at + len };
}

/** A server frame (unmasked, final). */
function writeFrame(payload: Buffer, opcode = 0x1): Buffer {
  const head = payload.length < 126 ? Buffer.from([0x80 | opcode, payload.length])
    : payload.length < 65536 ? Buffer.from([0x80 | opcode, 126, payload.length >> 8, payload.length & 0xff])
      : Buffer.concat([Buffer.from([0x80 | opcode, 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(payload.length)); return b; })()]);
  return Buffer.concat([head, payload]);
}
