/**
 * The thin Bolt adapter: builds the Bolt app (Socket Mode, or HTTP with `/slack/events`), serves
 * `/healthz`, and maps Slack payloads (checked with zod) to {@link BreakfixService} calls and
 * back. Nothing here decides anything.
 */
import type { Server } from 'node:http';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type CustomRoute, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';
import { resolveContext } from '../../commands/common.js';
import { logger, partLogger } from '../log.js';
import { Observability } from '../obs/observability.js';
import { APPROVE_ACTION, REJECT_ACTION, type Block, type SlackMessage } from './messages.js';
import { BreakfixService, type ServiceOptions, type SlackPort } from './service.js';
import type { SlackSettings } from './settings.js';
import { respondEphemeral } from './respond.js';
import { appTokenError, checkBotToken } from './startup.js';

/** Options of {@link createSlackApp}. */
export interface SlackAppOptions extends Omit<ServiceOptions, 'log' | 'settings'> {
  settings: SlackSettings;
  /** HTTP mode: the port to listen on (0: any free one). Socket Mode: the port of `/healthz`. */
  port: number;
  log?: Logger;
  /** `/healthz` detail and `/metrics`; default: one over the state directory of `common`. */
  observability?: Observability;
}

/** A running bot. */
export interface SlackBot {
  app: App;
  service: BreakfixService;
  /** Start listening (HTTP) or connecting (Socket Mode); resolves with the HTTP port. */
  start(): Promise<{ port: number }>;
  stop(): Promise<void>;
  /** Background work started after an ack, still running (tests wait for it). */
  idle(): Promise<void>;
}

/**
 * The fields of a slash command payload the bot reads (Slack: "Responding to slash commands",
 * https://docs.slack.dev/interactivity/implementing-slash-commands). `response_url` is where the
 * bot may answer the user later: an http(s) URL, or the command is refused rather than the bot
 * fetching whatever it names.
 */
const SlashCommandBody = z.looseObject({
  text: z.string().default(''),
  user_id: z.string().min(1),
  channel_id: z.string().min(1),
  response_url: z.url({ protocol: /^https?$/ }).optional(),
});
const ButtonValueSchema = z.object({ planId: z.string().min(1), digest: z.string().min(1) });
const BlockActionBody = z.looseObject({
  type: z.literal('block_actions'),
  user: z.looseObject({ id: z.string() }),
  channel: z.looseObject({ id: z.string() }),
  message: z.looseObject({ ts: z.string(), text: z.string().default(''), blocks: z.array(z.looseObject({ type: z.string() })).default([]) }),
  actions: z.array(z.looseObject({ action_id: z.string(), value: z.string() })).min(1),
});

/** Build the bot. Nothing connects until `start()`. */
export function createSlackApp(opts: SlackAppOptions): SlackBot {
  const log = opts.log ?? logger('slack');
  const { settings } = opts;
  const obs = opts.observability ?? new Observability({ stateDir: resolveContext(opts.common).stateDir, datacenters: opts.datacenters ?? [] });
  const healthz: CustomRoute = {
    path: '/healthz',
    method: ['GET'],
    handler: (_req, res) => {
      const { status, body } = obs.healthz();
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ mode: settings.mode, demo: opts.demo, ...body }));
    },
  };
  const metrics: CustomRoute = {
    path: '/metrics',
    method: ['GET'],
    handler: (_req, res) => {
      obs.scrape().then(({ contentType, body }) => {
        res.writeHead(200, { 'content-type': contentType });
        res.end(body);
      }, (e: Error) => {
        log.error({ err: { name: e.name, message: e.message } }, '/metrics failed');
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`metrics failed: ${e.message}\n`);
      });
    },
  };
  const clientOptions = settings.slackApiUrl ? { slackApiUrl: settings.slackApiUrl } : {};
  const boltLogger = toBoltLogger(log);
  let server: Server | undefined;
  const receiver = settings.mode === 'http'
    ? new HTTPReceiver({ signingSecret: settings.signingSecret!, endpoints: '/slack/events', customRoutes: [healthz, metrics], logger: boltLogger })
    : new SocketModeReceiver({ appToken: settings.appToken!, customRoutes: [healthz, metrics], installerOptions: { port: opts.port, clientOptions }, logger: boltLogger });
  const app = new App({ token: settings.botToken, receiver, clientOptions, logger: boltLogger, deferInitialization: true });

  const port: SlackPort = {
    postMessage: async (channel, msg, threadTs) => {
      const r = await app.client.chat.postMessage({ channel, text: msg.text, blocks: msg.blocks as never, ...(threadTs ? { thread_ts: threadTs } : {}) });
      return { ts: r.ts };
    },
    updateMessage: async (channel, ts, msg) => {
      await app.client.chat.update({ channel, ts, text: msg.text, blocks: msg.blocks as never });
    },
    postEphemeral: async (channel, user, msg) => {
      await app.client.chat.postEphemeral({ channel, user, text: msg.text, blocks: msg.blocks as never });
    },
    respond: respondEphemeral,
  };
  // Approver groups are read at click time, so a change in Slack applies at once (scope usergroups:read).
  const groupMembers = opts.groupMembers ?? (async (usergroup: string) => (await app.client.usergroups.users.list({ usergroup })).users ?? []);
  const service = new BreakfixService(port, { ...opts, settings, groupMembers, log });
  const pending = new Set<Promise<void>>();
  const background = (what: string, work: () => Promise<unknown>) => {
    // Start the work in the event loop's check phase, after pending I/O: requests already
    // waiting are parsed and acknowledged first, so a burst of commands does not queue each
    // acknowledgement behind the others' work (Slack drops a command not acked in 3 s).
    const started = new Promise<void>((go) => setImmediate(go));
    const p = started.then(work).then(() => undefined, (e: Error) => log.error({ err: { name: e.name, message: e.message } }, `${what} failed`));
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  // Slack retries a delivery it thinks failed; the first one is being handled: acknowledge, do nothing.
  app.use(async (args) => {
    const { context, next } = args;
    if (context.retryNum) {
      log.info({ retryNum: context.retryNum, retryReason: context.retryReason }, 'Slack retry ignored');
      const ack = (args as { ack?: () => Promise<void> }).ack;
      if (ack) await ack();
      return;
    }
    await next();
  });

  app.command('/breakfix', async ({ command, ack }) => {
    const parsed = SlashCommandBody.safeParse(command);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      log.warn({ issues: parsed.error.issues.slice(0, 3) }, 'slash command payload not understood');
      await ack({ response_type: 'ephemeral', text: `breakfix could not read this command (${issue.path.join('.') || 'payload'}: ${issue.message}); nothing was done` });
      return;
    }
    const c = parsed.data;
    const plan = service.command({ text: c.text, user: c.user_id, channel: c.channel_id, ...(c.response_url ? { responseUrl: c.response_url } : {}) });
    await ack({ response_type: 'ephemeral', text: plan.ack });
    if (plan.work) background(`/breakfix ${command.text}`, plan.work);
  });

  for (const [actionId, action] of [[APPROVE_ACTION, 'approve'], [REJECT_ACTION, 'reject']] as const) {
    app.action(actionId, async ({ ack, body }) => {
      await ack();
      const parsed = BlockActionBody.safeParse(body);
      if (!parsed.success) {
        log.warn({ issues: parsed.error.issues.slice(0, 3) }, 'block_actions payload not understood');
        return;
      }
      const b = parsed.data;
      const value = ButtonValueSchema.safeParse(safeJson(b.actions[0].value));
      if (!value.success) {
        log.warn({ value: b.actions[0].value.slice(0, 200) }, 'button value not understood');
        return;
      }
      const message: SlackMessage = { text: b.message.text, blocks: b.message.blocks as Block[] };
      background(`${action} ${value.data.planId}`, () => service.click({ action, ...value.data, user: b.user.id, channel: b.channel.id, messageTs: b.message.ts, message }));
    });
  }

  app.error(async (e) => {
    log.error({ err: { name: e.name, message: e.message, code: (e as { code?: string }).code } }, 'bolt error');
  });

  return {
    app,
    service,
    async start() {
      // Before Bolt's own auth.test, whose client retries for ~30 min: a wrong token or an
      // unreachable Slack stops start-up in seconds, with one line naming the setting.
      await checkBotToken(settings, quietBoltLogger(log));
      await app.init();
      if (settings.mode === 'http') {
        server = (await app.start(opts.port)) as Server;
        return { port: boundPort(server, opts.port) };
      }
      try {
        await app.start();
      } catch (e) {
        // The receiver's /healthz server is already listening: close it, or the process stays up.
        await app.stop().catch(() => undefined);
        throw appTokenError(e, settings.slackApiUrl) ?? e;
      }
      // Socket Mode's receiver serves /healthz and /metrics on a server of its own (private in
      // Bolt's types); with port 0 the port is the one the system picked.
      const healthServer = (receiver as unknown as { httpServer?: Server }).httpServer;
      if (healthServer && !healthServer.listening) await new Promise((up, down) => healthServer.once('listening', up).once('error', down));
      return { port: healthServer ? boundPort(healthServer, opts.port) : opts.port };
    },
    async stop() {
      await Promise.allSettled([...pending]);
      await app.stop();
      if (!opts.observability) obs.close();
    },
    async idle() {
      while (pending.size) await Promise.allSettled([...pending]);
    },
  };
}

/** The port `server` listens on (the system's pick when asked for 0), else `fallback`. */
function boundPort(server: Server, fallback: number): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : fallback;
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

/** Bolt's logger interface over `log`, its lines marked `"part":"bolt"` (tokens stay redacted by the root logger). */
function toBoltLogger(log: Logger): BoltLogger {
  return boltLoggerOver(partLogger(log, 'bolt'), false);
}

/** As {@link toBoltLogger}, every level at debug: the start-up check's retries, whose outcome is its own line. */
function quietBoltLogger(log: Logger): BoltLogger {
  return boltLoggerOver(partLogger(log, 'start-up check'), true);
}

function boltLoggerOver(log: Logger, quiet: boolean): BoltLogger {
  let level: LogLevel = LogLevel.INFO;
  const fmt = (m: unknown[]) => m.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' ');
  return {
    debug: (...m) => log.debug(fmt(m)),
    info: (...m) => (quiet ? log.debug(fmt(m)) : log.info(fmt(m))),
    warn: (...m) => (quiet ? log.debug(fmt(m)) : log.warn(fmt(m))),
    error: (...m) => (quiet ? log.debug(fmt(m)) : log.error(fmt(m))),
    setLevel: (l) => { level = l; },
    getLevel: () => level,
    setName: () => {},
  };
}
