/**
 * The worker-thread side of {@link startCommandPool}: Piscina calls the default export with a
 * {@link ReadCommand} and hands the {@link CommandOutput} back to the bot's main thread.
 */
import type { CommandOutput } from '../../commands/common.js';
import { runReadCommand, type ReadCommand } from './commands.js';

// Load the command modules when the thread starts, not on its first command.
await Promise.all([import('../../commands/status.js'), import('../../commands/show.js'), import('../../commands/diff.js'), import('../../commands/why.js'), import('../../commands/policy.js')]);

/** Run one read-only command in this worker thread; `'ready'` answers null once the thread is up. */
export default async function run(cmd: ReadCommand | 'ready'): Promise<CommandOutput | null> {
  return cmd === 'ready' ? null : runReadCommand(cmd);
}
