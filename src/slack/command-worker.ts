/**
 * The worker-thread side of {@link startCommandPool}: Piscina calls the default export with a
 * {@link ReadCommand} and hands the {@link CommandOutput} back to the bot's main thread; or,
 * with `{ answer, to }`, runs the command and posts its answer as an ephemeral message itself
 * (the pool's `workerData` has the bot token), so the main thread only acknowledges; where Slack
 * refuses that, through the command's `response_url`.
 */
import { workerData } from 'node:worker_threads';
import type { CommandOutput } from '../../commands/common.js';
import { runReadCommand, type ReadCommand, type ReplyTo, type WorkerSlack } from './commands.js';
import { textMessage } from './messages.js';
import { respondEphemeral, slackErrorCode } from './respond.js';

// Load the command modules when the thread starts, not on its first command.
await Promise.all([import('../../commands/status.js'), import('../../commands/show.js'), import('../../commands/diff.js'), import('../../commands/why.js'), import('../../commands/policy.js')]);

const slack = workerData as WorkerSlack | null;
const client = slack ? await (async () => {
  const { webApi } = await import('@slack/bolt');
  return new webApi.WebClient(slack.botToken, { ...(slack.slackApiUrl ? { slackApiUrl: slack.slackApiUrl } : {}), logLevel: webApi.LogLevel.ERROR });
})() : undefined;

/** Run one read-only command in this worker thread (`'ready'` answers null once the thread is up). */
export default async function run(task: ReadCommand | 'ready' | { answer: ReadCommand; to: ReplyTo }): Promise<CommandOutput | null | { exitCode: number; error?: string }> {
  if (task === 'ready') return null;
  if (!('answer' in task)) return runReadCommand(task);
  if (!client) throw new Error('this command pool was started without Slack credentials: it cannot answer');
  let out: CommandOutput;
  let error: string | undefined;
  try {
    out = await runReadCommand(task.answer);
  } catch (e) {
    error = (e as Error).message;
    out = { text: error, json: { error }, exitCode: 1 };
  }
  const msg = textMessage(task.to.title, out.text);
  try {
    await client.chat.postEphemeral({ channel: task.to.channel, user: task.to.user, text: msg.text, blocks: msg.blocks as never });
  } catch (e) {
    // A DM or a channel without the bot (channel_not_found): the command's response_url reaches the user anywhere.
    if (!slackErrorCode(e) || !task.to.responseUrl) throw e;
    await respondEphemeral(task.to.responseUrl, msg);
  }
  return { exitCode: out.exitCode, ...(error ? { error } : {}) };
}
