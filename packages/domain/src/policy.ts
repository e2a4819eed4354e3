import { z } from 'zod';
import { BasisPoints, Fen, yuan } from './values/fen.js';

/**
 * The rules of a programme that a bureau sets in its implementation plan. Fixed when the
 * programme launches and copied into each project at submission, so a later programme cannot
 * change the terms of an earlier one.
 */
export const ProgrammePolicy = z.strictObject({
  /** R1: one-time grant to each selected project. */
  r1GrantAmount: Fen,
  /** R2: conversion subsidy rate on bank-paid contract turnover. */
  r2RateBps: BasisPoints,
  /** R2: turnover below this earns nothing. */
  r2Threshold: Fen,
  /** R2: most an enterprise receives in one calendar year of bank payment, across all contracts and projects. */
  r2AnnualCap: Fen,
  /** R2: the threshold applies to each contract's bank-paid amount in the year, or to the year's total. */
  r2ThresholdMode: z.enum(['per_contract', 'per_year']),
  /**
   * R2: which party of a conversion contract the subsidy goes to: the transferee (受让方), the
   * enterprise that takes on the achievement and pays for it by bank (the seed's rule, and the
   * default), or the transferor (转让方). Its bank payments are assessed on its own
   * `subsidy-<creditCode>-<year>` ledger. Programmes launched before the setting existed paid the
   * project's enterprise, which their contracts record as the transferor (see upcasting.ts).
   */
  r2Beneficiary: z.enum(['transferee', 'transferor']).default('transferee'),
  /** R3: transfer-service subsidy rate on an institution's in-city transaction volume. */
  r3RateBps: BasisPoints,
  /** R3: most an institution receives in one calendar year. */
  r3AnnualCap: Fen,
  /** Length of a project's cycle, from the task book's start date. */
  cycleMonths: z.int().min(1).max(120),
  /** The one extension is at most this long. */
  extensionMaxMonths: z.int().min(0).max(60),
  /** An extension must be requested at least this many months before the end date. */
  extensionRequestLeadMonths: z.int().min(0).max(24),
  /** Length of the publicity (公示) period in calendar days. */
  publicityDays: z.int().min(1).max(90),
  /** Acceptance must be applied for no later than this many months after the end date. */
  acceptanceWindowMonths: z.int().min(0).max(36),
  /** How subsidies are rounded to the fen. */
  rounding: z.literal('floor'),
});
export type ProgrammePolicy = z.infer<typeof ProgrammePolicy>;

/**
 * Taizhou 2018 "ten major common-technology breakthrough projects" (seed 000, DOMAIN.md).
 * The publicity period is not stated there; seven calendar days is the usual bureau practice.
 */
export const taizhouPolicy: ProgrammePolicy = {
  r1GrantAmount: yuan(100_000),
  r2RateBps: 500,
  r2Threshold: yuan(1_000_000),
  r2AnnualCap: yuan(1_000_000),
  r2ThresholdMode: 'per_contract',
  r2Beneficiary: 'transferee',
  r3RateBps: 500,
  r3AnnualCap: yuan(500_000),
  cycleMonths: 24,
  extensionMaxMonths: 12,
  extensionRequestLeadMonths: 3,
  publicityDays: 7,
  acceptanceWindowMonths: 6,
  rounding: 'floor',
};

export const R2Policy = ProgrammePolicy.pick({ r2RateBps: true, r2Threshold: true, r2AnnualCap: true, r2ThresholdMode: true });
export type R2Policy = z.infer<typeof R2Policy>;
export const R3Policy = ProgrammePolicy.pick({ r3RateBps: true, r3AnnualCap: true });
export type R3Policy = z.infer<typeof R3Policy>;
