import type { StageCategory } from '../pipelines/pipeline.object.js';
import { invalid, StageRow } from '../sales-sql.js';
import type { ForecastCategory } from './opportunity.object.js';

/** The forecast category an opportunity takes when it enters a stage of this category. */
export const DEFAULT_FORECAST: Record<StageCategory, ForecastCategory> = {
  open: 'pipeline',
  won: 'closed',
  lost: 'omitted',
};

/** What the rules need to know of an opportunity before the write (null on create). */
export interface CurrentState {
  stageId: string;
  category: StageCategory;
  lossReason: string | null;
  closedAt: unknown;
  forecastCategory: string;
}

type Values = Record<string, unknown>;

/**
 * The stage rules of an opportunity write: returns the values to store, with the defaults the
 * stage brings, or throws a 400 naming the field that breaks a rule.
 *
 * On entering a stage (create, or a stage change):
 * - probability ← the stage's default, and forecastCategory ← the category's default
 *   (open → pipeline, won → closed, lost → omitted), unless the write gives them;
 * - a won or lost stage sets closedAt (now, unless given) when the deal was not already closed
 *   the same way; an open stage clears it;
 * - leaving a lost stage clears lossReason (unless given).
 * Always: a lost opportunity needs a lossReason; a won one is forecast `closed` and a lost one
 * `omitted`, an open one never `closed`; closedAt is set exactly when the stage is won or lost.
 */
export function applyStageRules(
  input: Values,
  stage: StageRow,
  current: CurrentState | null,
  entered: boolean,
  now: () => string = () => new Date().toISOString(),
): Values {
  const out: Values = { ...input };
  const category = stage.category;
  const closed = category !== 'open';
  if (entered) {
    if (out.probability === undefined) out.probability = stage.probability;
    if (out.forecastCategory === undefined) out.forecastCategory = DEFAULT_FORECAST[category];
    if (closed && out.closedAt === undefined && current?.category !== category) out.closedAt = now();
    if (!closed && out.closedAt === undefined && current?.closedAt != null) out.closedAt = null;
    if (category !== 'lost' && out.lossReason === undefined && current?.lossReason != null)
      out.lossReason = null;
  }
  if (out.closedAt !== undefined) {
    if (closed && out.closedAt === null)
      throw invalid(
        'closedAt',
        'required',
        `closedAt cannot be null while the opportunity is in a ${category} stage`,
      );
    if (!closed && out.closedAt !== null)
      throw invalid(
        'closedAt',
        'open_stage',
        'closedAt must be null while the opportunity is in an open stage',
      );
  }
  const forecast = (out.forecastCategory ?? current?.forecastCategory) as string;
  if (out.forecastCategory !== undefined || entered) {
    if (category === 'won' && forecast !== 'closed')
      throw invalid('forecastCategory', 'stage_category', 'forecastCategory must be closed in a won stage');
    if (category === 'lost' && forecast !== 'omitted')
      throw invalid('forecastCategory', 'stage_category', 'forecastCategory must be omitted in a lost stage');
    if (category === 'open' && forecast === 'closed')
      throw invalid('forecastCategory', 'stage_category', 'forecastCategory closed is only for won stages');
  }
  if (category === 'lost') {
    const reason = out.lossReason !== undefined ? out.lossReason : current?.lossReason;
    if (typeof reason !== 'string' || reason.trim() === '')
      throw invalid('lossReason', 'required', 'lossReason is required when the opportunity is lost');
  }
  return out;
}
