/**
 * Schemas of the reviewed policy files in `policies/` (DESIGN.md §3). Every number an operator
 * may tune carries a `reason` (and optionally a `ticket`), so `git log -p policies/` explains it.
 */
import { z } from 'zod';
import { SET_NAME } from '../sets/names.js';

const reason = z.string().min(3, 'every policy number needs a reason: say why this value');
const ticket = z.string().optional();

/** A number with its reason. */
export const ReasonedNumber = z.object({ value: z.number(), reason, ticket }).strict();

/** The budget of one action within an archetype: percent of managed hosts, floor and ceiling (hosts). */
export const ActionBudgetSchema = z
  .object({
    pct: z.number().min(0).max(100),
    floor: z.number().int().min(0),
    ceiling: z.number().int().min(0),
    reason,
    ticket,
  })
  .strict()
  .refine((b) => b.floor <= b.ceiling, { message: 'floor must not exceed ceiling' });
export type ActionBudget = z.infer<typeof ActionBudgetSchema>;

/** Actions a plan can hold. */
export const ACTIONS = ['drain', 'recommission'] as const;
export type Action = (typeof ACTIONS)[number];

const ArchetypeSchema = z
  .object({ reason, drain: ActionBudgetSchema, recommission: ActionBudgetSchema })
  .strict();

const PartialActionBudget = z
  .object({
    pct: z.number().min(0).max(100).optional(),
    floor: z.number().int().min(0).optional(),
    ceiling: z.number().int().min(0).optional(),
    reason,
    ticket,
  })
  .strict();

const ClassifierRuleSchema = z
  .object({
    archetype: z.string(),
    when: z
      .object({
        managedBelow: z.number().int().positive().optional(),
        managedAtLeast: z.number().int().min(0).optional(),
        name: z.string().optional(),
        role: z.string().optional(),
      })
      .strict()
      .optional(),
    reason,
  })
  .strict();
export type ClassifierRule = z.infer<typeof ClassifierRuleSchema>;

const ClusterOverrideSchema = z
  .object({
    archetype: z.string().optional(),
    drain: PartialActionBudget.optional(),
    recommission: PartialActionBudget.optional(),
    maxDataGroups: ReasonedNumber.optional(),
    reason: z.string().optional(),
  })
  .strict();
export type ClusterOverride = z.infer<typeof ClusterOverrideSchema>;

/** `policies/budgets.yml`. */
export const BudgetsFileSchema = z
  .object({
    archetypes: z.record(z.string(), ArchetypeSchema).refine((a) => 'default' in a, { message: 'an archetype named default is required' }),
    classifier: z.array(ClassifierRuleSchema).min(1),
    clusters: z.record(z.string(), ClusterOverrideSchema).default({}),
  })
  .strict();
export type BudgetsPolicy = z.infer<typeof BudgetsFileSchema>;

const Freshness = z.object({ maxAgeMinutes: z.number().positive(), reason, ticket }).strict();

/** `policies/safety.yml`: thresholds of the safety rules (the rules are code). */
export const SafetyFileSchema = z
  .object({
    sources: z
      .object({
        freshness: z.object({ inventory: Freshness, health: Freshness, hdfs: Freshness, yarn: Freshness }).strict(),
        maxShrinkPct: ReasonedNumber,
      })
      .strict(),
    massFailure: z.object({ maxSharePct: ReasonedNumber }).strict(),
    dataGroups: z.object({ maxOutOfService: ReasonedNumber, replicationFactor: ReasonedNumber }).strict(),
  })
  .strict();
export type SafetyPolicy = z.infer<typeof SafetyFileSchema>;

/** `policies/sets.yml`: derived set definitions. */
export const SetsFileSchema = z
  .object({
    sets: z.record(
      z.string().regex(SET_NAME, 'set names are lower-case letters, digits, _ . - and start with a letter or digit'),
      z.object({ expr: z.string().min(1), reason }).strict(),
    ),
  })
  .strict();
