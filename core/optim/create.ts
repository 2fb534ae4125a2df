import { UnmixError } from '../errors.js';
import {
  AdaDelta,
  AdaGrad,
  Adam,
  Momentum,
  Nesterov,
  RAdam,
  RmsProp,
  Sgd,
  type AdamOptions,
  type Optimizer,
} from './optimizers.js';
import { parseSchedule, type Schedule } from './schedules.js';

/** Names accepted by {@link createOptimizer}. */
export const OPTIMIZER_NAMES = [
  'sgd',
  'momentum',
  'nesterov',
  'adagrad',
  'rmsprop',
  'adadelta',
  'adam',
  'radam',
] as const;

/** One of {@link OPTIMIZER_NAMES}. */
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/**
 * An optimizer by name with its options. Every numeric option of every optimizer may be
 * given (`learningRate`, `momentum`, `rho`, `beta1`, `beta2`, `epsilon`); the ones an
 * optimizer does not use are rejected. `schedule` is a {@link Schedule} or its text form
 * (see {@link parseSchedule}).
 */
export interface OptimizerSpec {
  name: OptimizerName | string;
  learningRate?: number;
  momentum?: number;
  rho?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  schedule?: Schedule | string;
}

const USES: Record<OptimizerName, string[]> = {
  sgd: [],
  momentum: ['momentum'],
  nesterov: ['momentum'],
  adagrad: ['epsilon'],
  rmsprop: ['rho', 'epsilon'],
  adadelta: ['rho', 'epsilon'],
  adam: ['beta1', 'beta2', 'epsilon'],
  radam: ['beta1', 'beta2', 'epsilon'],
};

/** Short keys of the text form, mapped to option names. */
const ALIASES: Record<string, string> = { lr: 'learningRate', eta: 'learningRate', mu: 'momentum', eps: 'epsilon' };

/**
 * Create an optimizer from a spec or its text form `NAME[:key=value,...]`, e.g.
 * `'adam:lr=0.01,beta2=0.99'` or `'nesterov:lr=0.1,momentum=0.95'` (keys: `lr`,
 * `momentum`/`mu`, `rho`, `beta1`, `beta2`, `epsilon`/`eps`). A schedule in text form
 * can be passed as the second argument, e.g. `'warmup:100+step:30:0.1'`.
 *
 * @throws UnmixError (`usage`) for an unknown name or option, or an out-of-range value
 */
export function createOptimizer(spec: OptimizerSpec | string, schedule?: Schedule | string): Optimizer {
  const parsed: OptimizerSpec = typeof spec === 'string' ? parseOptimizerSpec(spec) : { ...spec };
  if (schedule !== undefined) parsed.schedule = schedule;
  const name = parsed.name.toLowerCase() as OptimizerName;
  if (!(OPTIMIZER_NAMES as readonly string[]).includes(name)) {
    throw new UnmixError(`unknown optimizer '${parsed.name}'; choose one of: ${OPTIMIZER_NAMES.join(', ')}`, 'usage');
  }
  for (const key of ['momentum', 'rho', 'beta1', 'beta2', 'epsilon'] as const) {
    if (parsed[key] !== undefined && !USES[name].includes(key)) {
      throw new UnmixError(`optimizer '${name}' has no option '${key}'`, 'usage');
    }
  }
  const options: AdamOptions & { momentum?: number; rho?: number } = {
    learningRate: parsed.learningRate,
    momentum: parsed.momentum,
    rho: parsed.rho,
    beta1: parsed.beta1,
    beta2: parsed.beta2,
    epsilon: parsed.epsilon,
    schedule: typeof parsed.schedule === 'string' ? parseSchedule(parsed.schedule) : parsed.schedule,
  };
  switch (name) {
    case 'sgd':
      return new Sgd(options);
    case 'momentum':
      return new Momentum(options);
    case 'nesterov':
      return new Nesterov(options);
    case 'adagrad':
      return new AdaGrad(options);
    case 'rmsprop':
      return new RmsProp(options);
    case 'adadelta':
      return new AdaDelta(options);
    case 'adam':
      return new Adam(options);
    case 'radam':
      return new RAdam(options);
  }
}

/**
 * Parse the text form `NAME[:key=value,...]` of an optimizer (see {@link createOptimizer}).
 * @throws UnmixError (`usage`) for a malformed term or a non-numeric value
 */
export function parseOptimizerSpec(text: string): OptimizerSpec {
  const colon = text.indexOf(':');
  const name = (colon < 0 ? text : text.slice(0, colon)).trim();
  const spec: OptimizerSpec = { name };
  if (colon < 0) return spec;
  for (const part of text.slice(colon + 1).split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const rawKey = part.slice(0, eq).trim();
    const value = Number(part.slice(eq + 1));
    const key = ALIASES[rawKey] ?? rawKey;
    if (eq <= 0 || !Number.isFinite(value)) {
      throw new UnmixError(`bad optimizer option '${part}' in '${text}'; expected key=number`, 'usage');
    }
    if (!['learningRate', 'momentum', 'rho', 'beta1', 'beta2', 'epsilon'].includes(key)) {
      throw new UnmixError(`unknown optimizer option '${rawKey}' in '${text}'`, 'usage');
    }
    (spec as unknown as Record<string, number>)[key] = value;
  }
  return spec;
}
