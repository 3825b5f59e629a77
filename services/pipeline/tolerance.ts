import type { Decimal } from 'decimal.js';
import { categoryOf, oneLineReason, PipelineError } from '../errors.js';
import { Exact, NUMERIC_SCALE } from '../numeric.js';
import type { ToleranceRule } from './metric-config.js';

export type ToleranceOutcome = 'Passed' | 'Failed' | 'NA';

/** A metric_output judged against its own history (docs/contract.md#tolerance). */
export interface ToleranceCheck {
  /** The previous value, or the mean of the N latest earlier values, as NUMERIC text; null when there is none. */
  baseline: string | null;
  /** |value − baseline| ÷ |baseline| × 100, rounded away from zero to 9 decimals; null when undefined. */
  change_pct: string | null;
  /** tolerance_pct as configured. */
  limit_pct: string;
  outcome: ToleranceOutcome;
}

/** The metric_output values of a metric at earlier partition dates, the latest first; or why they could not be read. */
export type EarlierValues = (string | null)[] | PipelineError;

export interface ToleranceJudgement {
  check: ToleranceCheck;
  /** Set when the metric must fail: a breach with severity error, or history that could not be read for one. */
  failure?: PipelineError;
}

/** The check of a metric that produced no value to judge: its limit, outcome 'NA'. */
export function notChecked(rule: ToleranceRule, baseline: string | null = null): ToleranceCheck {
  return { baseline, change_pct: null, limit_pct: rule.pct, outcome: 'NA' };
}

/**
 * Judges `value` (the metric_output to write) against the baseline. 'NA' when
 * there is no baseline yet (fewer earlier values than the baseline needs), a
 * NULL among the values, or a zero baseline, where a percent is undefined.
 * A change equal to the limit passes. Exact decimals throughout.
 */
export function checkTolerance(rule: ToleranceRule, value: string | null, earlier: (string | null)[]): ToleranceCheck {
  const used = earlier.slice(0, rule.values).map(numberOf);
  if (used.length < rule.values || used.some((item) => item === null)) return notChecked(rule);
  const baseline = (used as Decimal[]).reduce((sum, item) => sum.plus(item), new Exact(0)).div(rule.values);
  const baselineText = baseline.toFixed(NUMERIC_SCALE);
  const current = numberOf(value);
  if (current === null || baseline.isZero()) return notChecked(rule, baselineText);
  const change = current.minus(baseline).abs().div(baseline.abs()).times(100);
  return {
    baseline: baselineText,
    // Rounded away from zero, so a breach never reads as a change equal to the limit.
    change_pct: change.toDecimalPlaces(NUMERIC_SCALE, Exact.ROUND_UP).toFixed(),
    limit_pct: rule.pct,
    outcome: change.lte(rule.pct) ? 'Passed' : 'Failed',
  };
}

/**
 * The check and, for severity error, the failure: a breach fails the metric
 * with DATA_QUALITY_ERROR; history that could not be read fails it with the
 * read's own category, as the check it asked for could not be made. Severity
 * warn never fails a metric.
 */
export function judgeTolerance(rule: ToleranceRule, value: string | null, earlier: EarlierValues): ToleranceJudgement {
  const blocking = rule.severity === 'error';
  if (earlier instanceof PipelineError) {
    const reason = `Tolerance baseline could not be read, so the metric was not written (tolerance_severity error): ${oneLineReason(earlier)}`;
    return { check: notChecked(rule), ...(blocking ? { failure: new PipelineError(categoryOf(earlier), reason) } : {}) };
  }
  const check = checkTolerance(rule, value, earlier);
  if (!blocking || check.outcome !== 'Failed') return { check };
  const reason = `${breachText(check)}; tolerance_severity is error, so the metric was not written`;
  return { check, failure: new PipelineError('DATA_QUALITY_ERROR', reason) };
}

/** How a breach reads in recon reasons and logs. */
export function breachText(check: ToleranceCheck): string {
  return `Tolerance breached: baseline ${check.baseline}, change ${check.change_pct}%, limit ${check.limit_pct}%`;
}

/** A stored value as a finite decimal; null for NULL and anything else (a legacy FLOAT64 NaN, non-numeric text). */
function numberOf(text: string | null): Decimal | null {
  if (text === null) return null;
  try {
    const number = new Exact(text);
    return number.isFinite() ? number : null;
  } catch {
    return null;
  }
}
