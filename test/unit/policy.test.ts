import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { computeCap, classifyCluster } from '../../src/policy/budget.js';
import { loadPolicy } from '../../src/policy/load.js';

const shipped = join(import.meta.dirname, '../../policies');

function policyWith(file: string, edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bf-policy-'));
  cpSync(shipped, dir, { recursive: true });
  writeFileSync(join(dir, file), edit(readFileSync(join(dir, file), 'utf8')));
  return dir;
}

function loadError(dir: string): InputError {
  try {
    loadPolicy(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('policy loaded but should not have');
}

describe('the shipped policy', () => {
  const policy = loadPolicy(shipped);

  it('defines the candidate sets in dependency order', () => {
    const names = policy.sets.map((s) => s.name);
    for (const n of ['unknown', 'in-flight', 'drain-candidates', 'return-candidates']) expect(names).toContain(n);
    expect(names.indexOf('unknown')).toBeLessThan(names.indexOf('drain-candidates'));
    expect(names.indexOf('in-flight')).toBeLessThan(names.indexOf('drain-candidates'));
  });

  it('classifies fewer than 20 managed hosts as small, dense by name, anything else default', () => {
    expect(classifyCluster({ cluster: 'hdp-dense-b', managed: 19, role: null }, policy.budgets).archetype).toBe('small');
    expect(classifyCluster({ cluster: 'hdp-dense-b', managed: 20, role: null }, policy.budgets).archetype).toBe('dense');
    expect(classifyCluster({ cluster: 'hdp-prod-a', managed: 2000, role: null }, policy.budgets).archetype).toBe('default');
  });

  it('caps a 240-host default cluster at floor(6 % × 240) = 14, and never below the floor of 1', () => {
    const cap = computeCap({ cluster: 'c', managed: 240, role: null }, 'drain', policy.budgets);
    expect(cap.cap).toBe(14);
    expect(cap.arithmetic).toBe('clamp(floor(6% × 240) = 14, 1, 200) = 14');
    expect(computeCap({ cluster: 'c', managed: 25, role: null }, 'drain', policy.budgets).cap).toBe(1);
    expect(computeCap({ cluster: 'c', managed: 10000, role: null }, 'drain', policy.budgets).cap).toBe(200);
  });

  it('lets a per-cluster override lower the ceiling, with its reason', () => {
    const dir = policyWith('budgets.yml', (t) => t.replace('clusters: {}', 'clusters:\n  hdp-billing:\n    drain: { ceiling: 1, reason: small but production-critical, ticket: OPS-1 }'));
    const p = loadPolicy(dir);
    const cap = computeCap({ cluster: 'hdp-billing', managed: 500, role: null }, 'drain', p.budgets);
    expect(cap.cap).toBe(1);
    expect(cap.reasons.join(' ')).toContain('production-critical (OPS-1)');
  });
});

describe('a broken policy is refused at load time with its file, line and column', () => {
  it('names an unknown set with its position', () => {
    const dir = policyWith('sets.yml', (t) => t.replace('expr: responsive - failing', 'expr: responsive - failling'));
    const e = loadError(dir);
    expect(e.message).toMatch(/sets\.yml:\d+:\d+: sets\.passing\.expr: unknown set name "failling"/);
    const line = readFileSync(join(dir, 'sets.yml'), 'utf8').split('\n')[e.location.line! - 1];
    expect(line.slice(e.location.column! - 1)).toMatch(/^failling/);
  });

  it('names a syntax error with its position', () => {
    const dir = policyWith('sets.yml', (t) => t.replace('expr: responsive - failing', 'expr: responsive - (failing'));
    const e = loadError(dir);
    expect(e.message).toMatch(/sets\.yml:\d+:\d+: sets\.passing\.expr: expected '\)'/);
  });

  it('refuses a cycle between definitions', () => {
    const dir = policyWith('sets.yml', (t) => t.replace('expr: responsive - failing', 'expr: responsive - drain-candidates').replace('(failing | unresponsive | yarn-unhealthy)', '(failing | unresponsive | yarn-unhealthy) & passing'));
    expect(loadError(dir).message).toMatch(/cycle: (drain-candidates → passing → drain-candidates|passing → drain-candidates → passing)/);
  });

  it('refuses a number without a reason', () => {
    const dir = policyWith('budgets.yml', (t) => t.replace(/      reason: One host at a time[^\n]*\n/, ''));
    expect(loadError(dir).message).toMatch(/budgets\.yml:\d+:\d+: archetypes\.small\.drain\.reason/);
  });

  it('refuses YAML that does not parse', () => {
    const dir = policyWith('safety.yml', (t) => t.replace('massFailure:', 'massFailure: [oops'));
    expect(loadError(dir).message).toMatch(/safety\.yml:\d+:\d+: not valid YAML/);
  });

  it('refuses a percentage above 100', () => {
    const dir = policyWith('budgets.yml', (t) => t.replace('pct: 6', 'pct: 600'));
    expect(loadError(dir).message).toMatch(/archetypes\.default\.drain\.pct/);
  });
});
