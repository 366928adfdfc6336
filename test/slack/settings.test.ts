import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { packageRoot } from '../../src/paths.js';
import { ApproversSchema, approverGroupsOf, approversOf, DEFAULT_TWO_PERSON_MIN_HOSTS, loadSettings, requireApprovers, SettingsError } from '../../src/slack/settings.js';

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
  it('the BREAKFIX_APPROVERS examples of the README, `serve --help` and the missing-setting error are ones the bot accepts', () => {
    const row = readFileSync(join(packageRoot(), 'README.md'), 'utf8').split('\n').find((l) => l.startsWith('| `BREAKFIX_APPROVERS` |'))!;
    const help = spawnSync(process.execPath, [join(packageRoot(), 'dist', 'src', 'cli.js'), 'serve', '--help'], { encoding: 'utf8' }).stdout;
    const examples = [
      ...[...row.matchAll(/`([^`]+)`/g)].map((m) => m[1]).slice(2),
      ...(/BREAKFIX_APPROVERS \(Slack user ids: (\S+) or (\S+)\)/.exec(help) ?? []).slice(1),
      ...(/BREAKFIX_APPROVERS: not set \(Slack user ids: (\S+) or (\S+);/.exec(error('socket', { ...good, BREAKFIX_APPROVERS: undefined })) ?? []).slice(1),
    ];
    expect(examples).toHaveLength(6);
    for (const e of examples) expect(ApproversSchema.safeParse(e).success, e).toBe(true);
  });

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

describe('the slack: block of breakfix.yml', () => {
  const yml = (slack: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'bf-slack-config-'));
    const path = join(dir, 'breakfix.yml');
    writeFileSync(path, `datacenters:\n  dc1:\n    sources:\n      inventory: { path: inv.tsv }\n      health: { path: h.tsv }\n      hdfs: { url: "http://nn1:9870/jmx" }\n${slack}`);
    return path;
  };
  const tokens = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_APP_TOKEN: 'xapp-1-A1-2-def' };

  it('names the channel, per-datacenter approvers (users and user groups), the two-person rule and the plan TTL', () => {
    const path = yml(`slack:\n  channel: C0OPS0001\n  approvers:\n    dc1: { users: [U0ALICE], groups: [S0ONCALL] }\n    "*": { groups: [S0LEADS] }\n  two_person_min_hosts: 4\n  plan_ttl_minutes: 15\n`);
    const s = loadSettings('socket', tokens, { slack: loadConfig(path).slack!, path });
    expect(s).toMatchObject({ channel: 'C0OPS0001', approvers: { dc1: ['U0ALICE'] }, approverGroups: { dc1: ['S0ONCALL'], '*': ['S0LEADS'] }, twoPersonMinHosts: 4, planTtlMs: 15 * 60_000 });
    expect(approverGroupsOf(s, 'dc2')).toEqual(['S0LEADS']);
    expect(approversOf(s, 'dc2')).toEqual([]);
    expect(() => requireApprovers(s, ['dc1', 'dc2'])).not.toThrow();
  });

  it('BREAKFIX_CHANNEL and BREAKFIX_APPROVERS override the file', () => {
    const path = yml(`slack:\n  channel: C0OPS0001\n  approvers: { dc1: { groups: [S0ONCALL] } }\n`);
    const s = loadSettings('socket', { ...tokens, BREAKFIX_CHANNEL: 'C0OTHER01', BREAKFIX_APPROVERS: 'U0BOB' }, { slack: loadConfig(path).slack!, path });
    expect(s).toMatchObject({ channel: 'C0OTHER01', approvers: { '*': ['U0BOB'] }, approverGroups: {} });
  });

  it('the two-person rule is on by default, and the TTL is 30 min', () => {
    const s = loadSettings('socket', { ...good });
    expect(s.twoPersonMinHosts).toBe(DEFAULT_TWO_PERSON_MIN_HOSTS);
    expect(s.planTtlMs).toBe(30 * 60_000);
  });

  it('a malformed setting in the file names the file, line and field; a missing one names where to set it', () => {
    for (const [slack, message] of [
      ['slack:\n  channel: "#ops"\n', /breakfix\.yml:8:\d+: slack\.channel: expected a channel id such as C012AB3CD/],
      ['slack:\n  approvers: { dc1: { users: [alice] } }\n', /breakfix\.yml:8:\d+: slack\.approvers\.dc1\.users\[0\]: expected a Slack user id/],
      ['slack:\n  approvers: { dc1: {} }\n', /breakfix\.yml:8:\d+: slack\.approvers\.dc1: give at least one user or group/],
      ['slack:\n  plan_ttl_minutes: 0\n', /slack\.plan_ttl_minutes: expected minutes > 0/],
      ['slack:\n  chanel: C0OPS0001\n', /breakfix\.yml:\d+:\d+: slack: .*chanel/],
    ] as const) {
      expect(() => loadConfig(yml(slack))).toThrow(message);
    }
    const path = yml('slack:\n  approvers: { dc1: { users: [U0ALICE] } }\n');
    expect(() => loadSettings('socket', tokens, { slack: loadConfig(path).slack!, path })).toThrow(`BREAKFIX_CHANNEL: not set (the ops channel id, C…; or slack.channel in ${path})`);
  });
});
