import { UnmixError } from '../errors.js';

/**
 * Learning-rate schedules: a schedule maps the number of steps already taken to a
 * multiplier of the optimizer's base learning rate. They compose by multiplication, so
 * `warmup:100+step:30:0.1` ramps up linearly over 100 steps and divides by 10 every 30.
 *
 * Time is counted in calls to `Optimizer.step`; a learner that steps once per epoch
 * therefore gets per-epoch schedules, as in the usual "×0.1 every 30 epochs".
 */

/** Multiplier of the base learning rate after `step` completed steps (0 for the first step). */
export type Schedule = (step: number) => number;

/** The constant schedule (multiplier 1). */
export const constantSchedule: Schedule = () => 1;

/**
 * Step decay: multiply by `factor` every `every` steps, i.e. `factor ** floor(step / every)`.
 *
 * @param every - steps between decays (> 0), e.g. 30
 * @param factor - multiplier per decay in (0, 1], e.g. 0.1
 */
export function stepDecay(every: number, factor: number): Schedule {
  if (!(every > 0)) throw new UnmixError(`step decay needs a positive interval, got ${every}`, 'usage');
  if (!(factor > 0)) throw new UnmixError(`step decay needs a positive factor, got ${factor}`, 'usage');
  return (step) => factor ** Math.floor(step / every);
}

/**
 * Exponential decay: `gamma ** step`.
 *
 * @param gamma - multiplier per step in (0, 1], e.g. 0.99
 */
export function exponentialDecay(gamma: number): Schedule {
  if (!(gamma > 0)) throw new UnmixError(`exponential decay needs a positive gamma, got ${gamma}`, 'usage');
  return (step) => gamma ** step;
}

/**
 * Linear warm-up (Goyal et al. 2017): `(step + 1) / steps` for the first `steps` steps,
 * then 1. The first step uses `1 / steps` of the rate, never 0, so it makes progress.
 *
 * @param steps - length of the warm-up (>= 1)
 */
export function linearWarmup(steps: number): Schedule {
  if (!(steps >= 1)) throw new UnmixError(`warm-up needs at least 1 step, got ${steps}`, 'usage');
  return (step) => (step + 1 >= steps ? 1 : (step + 1) / steps);
}

/** The product of several schedules (each applied to the same step count). */
export function composeSchedules(...schedules: Schedule[]): Schedule {
  if (schedules.length === 0) return constantSchedule;
  if (schedules.length === 1) return schedules[0];
  return (step) => {
    let f = 1;
    for (const s of schedules) f *= s(step);
    return f;
  };
}

/**
 * Parse a schedule from its text form (for the CLI): terms joined by `+`, each one of
 * `step:EVERY:FACTOR`, `exp:GAMMA`, `warmup:STEPS`, or `constant`.
 *
 * @example parseSchedule('warmup:100+step:30:0.1')
 * @throws UnmixError (`usage`) for an unknown or malformed term
 */
export function parseSchedule(text: string): Schedule {
  const terms = text
    .split('+')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
  return composeSchedules(...terms.map(parseTerm));
}

function parseTerm(term: string): Schedule {
  const [name, ...args] = term.split(':');
  const numbers = args.map(Number);
  const bad = (): never => {
    throw new UnmixError(
      `bad schedule '${term}'; use step:EVERY:FACTOR, exp:GAMMA, warmup:STEPS or constant, joined by '+'`,
      'usage',
    );
  };
  if (numbers.some((v) => !Number.isFinite(v))) bad();
  switch (name) {
    case 'step':
      return numbers.length === 2 ? stepDecay(numbers[0], numbers[1]) : bad();
    case 'exp':
      return numbers.length === 1 ? exponentialDecay(numbers[0]) : bad();
    case 'warmup':
      return numbers.length === 1 ? linearWarmup(numbers[0]) : bad();
    case 'constant':
      return numbers.length === 0 ? constantSchedule : bad();
    default:
      return bad();
  }
}
