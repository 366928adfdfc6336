import { describe, expect, it } from 'vitest';
import { approversOf, loadSettings, requireApprovers, SettingsError } from '../../src/slack/settings.js';

const good = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_APP_TOKEN: 'xapp-1-A1-2-def', SLACK_SIGNING_SECRET: 's3cret', BREAKFIX_CHANNEL: 'C0OPS0001', BREAKFIX_APPROVERS: 'U0ALICE,U0BOB' };

function error(mode: 'socket' | 'http', env: Record<string, string | undefined>): string {
  try {
    loadSettings(mode, env);
  } catch (e) {
    expect(e).toBeInstanceOf(SettingsError);
    return (e as Error).message;
  }
  throw new Error('expected a SettingsError');
}

describe('bot settings', () => {
  it('reads Socket Mode and HTTP settings; approvers apply to every datacenter or per datacenter', () => {
    const s = loadSettings('socket', { ...good, SLACK_API_URL: 'http://127.0.0.1:9/api' });
    expect(s).toMatchObject({ mode: 'socket', botToken: 'xoxb-1-2-abc', appToken: 'xapp-1-A1-2-def', channel: 'C0OPS0001', slackApiUrl: 'http://127.0.0.1:9/api/' });
    expect(approversOf(s, 'dc1')).toEqual(['U0ALICE', 'U0BOB']);
    const per = loadSettings('http', { ...good, BREAKFIX_APPROVERS: 'dc1=U0ALICE;dc2=U0BOB,W0CAROL' });
    expect(approversOf(per, 'dc2')).toEqual(['U0BOB', 'W0CAROL']);
    expect(approversOf(per, 'dc3')).toEqual([]);
    expect(() => requireApprovers(per, ['dc1', 'dc3'])).toThrow('BREAKFIX_APPROVERS: no approver for datacenter dc3');
  });

  it('a missing or malformed setting stops start-up with one line naming it', () => {
    const cases: [mode: 'socket' | 'http', env: Record<string, string | undefined>, line: string][] = [
      ['socket', { ...good, SLACK_BOT_TOKEN: undefined }, 'SLACK_BOT_TOKEN: not set'],
      ['socket', { ...good, SLACK_BOT_TOKEN: 'xoxp-user-token' }, 'SLACK_BOT_TOKEN: expected a bot token starting with xoxb-'],
      ['socket', { ...good, SLACK_APP_TOKEN: undefined }, 'SLACK_APP_TOKEN: not set'],
      ['http', { ...good, SLACK_SIGNING_SECRET: '' }, 'SLACK_SIGNING_SECRET: not set'],
      ['socket', { ...good, BREAKFIX_CHANNEL: '#ops' }, 'BREAKFIX_CHANNEL: expected a channel id'],
      ['socket', { ...good, BREAKFIX_APPROVERS: 'alice' }, 'BREAKFIX_APPROVERS: "alice" is not a Slack user id'],
      ['socket', { ...good, BREAKFIX_APPROVERS: undefined }, 'BREAKFIX_APPROVERS: not set'],
      ['socket', { ...good, SLACK_API_URL: 'not a url' }, 'SLACK_API_URL: expected a URL'],
      ['socket', { ...good, BREAKFIX_TWO_PERSON_MIN_HOSTS: '0' }, 'BREAKFIX_TWO_PERSON_MIN_HOSTS: expected a whole number'],
    ];
    for (const [mode, env, line] of cases) {
      const message = error(mode, env);
      expect(message.startsWith(line), `${message} should start with ${line}`).toBe(true);
      expect(message).not.toContain('\n');
    }
  });

  it('never puts a token into its error line', () => {
    const message = error('socket', { ...good, SLACK_APP_TOKEN: 'xoxb-wrong-kind-of-token' });
    expect(message).not.toContain('xoxb-wrong-kind-of-token');
  });
});
