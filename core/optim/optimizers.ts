import { UnmixError } from '../errors.js';
import { constantSchedule, type Schedule } from './schedules.js';

/**
 * First-order optimizers shared by every learner in unmix (the ICA/IVA rules and the
 * losses of the evaluation harness). Each one minimises: `step(params, grad)` moves
 * `params` in place against `grad`. Complex parameters are passed interleaved (re, im),
 * which is exact for SGD/momentum/Nesterov and the usual real-view convention for the
 * adaptive methods.
 *
 * State (moments, velocities) is allocated on the first step, sized to `params`, and
 * reused: no allocation per step.
 */
export interface Optimizer {
  /** Update `params` in place from the gradient `grad` (same length) of the loss to minimise. */
  step(params: Float64Array, grad: Float64Array): void;
  /** Forget all state (moments, step count), as if newly created. */
  reset(): void;
  /** Name, e.g. `adam`. */
  readonly name: string;
  /** Base learning rate η; learners may change it (e.g. annealing). The schedule multiplies it. */
  learningRate: number;
  /** Steps taken since creation or {@link Optimizer.reset}. */
  readonly steps: number;
}

/** Options every optimizer takes. */
export interface OptimizerOptions {
  /** Base learning rate η; each optimizer has its own default. */
  learningRate?: number;
  /** Multiplier of η by step count; default constant. See `schedules.ts`. */
  schedule?: Schedule;
}

abstract class BaseOptimizer implements Optimizer {
  abstract readonly name: string;
  learningRate: number;
  steps = 0;
  protected readonly schedule: Schedule;
  private size = -1;

  constructor(defaultRate: number, options: OptimizerOptions) {
    this.learningRate = options.learningRate ?? defaultRate;
    if (!(this.learningRate > 0) || !Number.isFinite(this.learningRate)) {
      throw new UnmixError(`the learning rate must be a positive number, got ${this.learningRate}`, 'usage');
    }
    this.schedule = options.schedule ?? constantSchedule;
  }

  step(params: Float64Array, grad: Float64Array): void {
    if (grad.length !== params.length) {
      throw new UnmixError(`gradient has ${grad.length} values but there are ${params.length} parameters`, 'usage');
    }
    if (this.size !== params.length) {
      if (this.size !== -1) throw new UnmixError('an optimizer was reused for parameters of another size', 'usage');
      this.size = params.length;
      this.allocate(params.length);
    }
    const rate = this.learningRate * this.schedule(this.steps);
    this.steps++;
    this.update(params, grad, rate, this.steps);
  }

  reset(): void {
    this.steps = 0;
    this.size = -1;
  }

  /** Allocate state for `n` parameters (zeroed). */
  protected abstract allocate(n: number): void;
  /** One update with the scheduled rate `rate`; `t` is the 1-based step number. */
  protected abstract update(params: Float64Array, grad: Float64Array, rate: number, t: number): void;
}

/** Plain gradient descent: `p ← p − η g`. Default η = 0.01. */
export class Sgd extends BaseOptimizer {
  readonly name = 'sgd';
  constructor(options: OptimizerOptions = {}) {
    super(0.01, options);
  }
  protected allocate(): void {}
  protected update(p: Float64Array, g: Float64Array, rate: number): void {
    for (let i = 0; i < p.length; i++) p[i] -= rate * g[i];
  }
}

/** Options of {@link Momentum} and {@link Nesterov}. */
export interface MomentumOptions extends OptimizerOptions {
  /** Momentum coefficient μ in [0, 1); default 0.9. */
  momentum?: number;
}

function checkUnit(name: string, value: number, closed = false): number {
  if (!(value >= 0) || (closed ? value > 1 : value >= 1)) {
    throw new UnmixError(`${name} must be in [0, ${closed ? '1]' : '1)'}, got ${value}`, 'usage');
  }
  return value;
}

/**
 * Heavy-ball momentum (Polyak 1964), in the form of Sutskever et al. 2013:
 * `v ← μ v − η g`, `p ← p + v`. Default η = 0.01, μ = 0.9.
 */
export class Momentum extends BaseOptimizer {
  readonly name: string = 'momentum';
  protected readonly mu: number;
  protected velocity = new Float64Array(0);
  constructor(options: MomentumOptions = {}) {
    super(0.01, options);
    this.mu = checkUnit('momentum', options.momentum ?? 0.9);
  }
  protected allocate(n: number): void {
    this.velocity = new Float64Array(n);
  }
  protected update(p: Float64Array, g: Float64Array, rate: number): void {
    const v = this.velocity;
    for (let i = 0; i < p.length; i++) {
      v[i] = this.mu * v[i] - rate * g[i];
      p[i] += v[i];
    }
  }
}

/**
 * Nesterov's accelerated gradient (Nesterov 1983) in the look-ahead-free form of
 * Sutskever et al. 2013 (as in PyTorch/Keras), so the gradient is taken at `params`:
 * `v ← μ v − η g`, `p ← p + μ v − η g`. Default η = 0.01, μ = 0.9.
 */
export class Nesterov extends Momentum {
  override readonly name = 'nesterov';
  protected override update(p: Float64Array, g: Float64Array, rate: number): void {
    const v = this.velocity;
    for (let i = 0; i < p.length; i++) {
      v[i] = this.mu * v[i] - rate * g[i];
      p[i] += this.mu * v[i] - rate * g[i];
    }
  }
}

/** Options of {@link AdaGrad}. */
export interface AdaGradOptions extends OptimizerOptions {
  /** Added to the root of the accumulated squares; default 1e-10. */
  epsilon?: number;
}

/**
 * AdaGrad (Duchi, Hazan & Singer 2011): `G ← G + g²`, `p ← p − η g / (√G + ε)`.
 * Default η = 0.01, ε = 1e-10.
 */
export class AdaGrad extends BaseOptimizer {
  readonly name = 'adagrad';
  private readonly epsilon: number;
  private sum = new Float64Array(0);
  constructor(options: AdaGradOptions = {}) {
    super(0.01, options);
    this.epsilon = options.epsilon ?? 1e-10;
  }
  protected allocate(n: number): void {
    this.sum = new Float64Array(n);
  }
  protected update(p: Float64Array, g: Float64Array, rate: number): void {
    const s = this.sum;
    for (let i = 0; i < p.length; i++) {
      s[i] += g[i] * g[i];
      p[i] -= (rate * g[i]) / (Math.sqrt(s[i]) + this.epsilon);
    }
  }
}

/** Options of {@link RmsProp}. */
export interface RmsPropOptions extends OptimizerOptions {
  /** Decay ρ of the mean square; default 0.9. */
  rho?: number;
  /** Added to the root mean square; default 1e-8. */
  epsilon?: number;
}

/**
 * RMSProp (Hinton, Coursera lecture 6e, 2012): `E ← ρ E + (1 − ρ) g²`,
 * `p ← p − η g / (√E + ε)`. Default η = 0.001, ρ = 0.9, ε = 1e-8.
 */
export class RmsProp extends BaseOptimizer {
  readonly name = 'rmsprop';
  private readonly rho: number;
  private readonly epsilon: number;
  private meanSquare = new Float64Array(0);
  constructor(options: RmsPropOptions = {}) {
    super(0.001, options);
    this.rho = checkUnit('rho', options.rho ?? 0.9);
    this.epsilon = options.epsilon ?? 1e-8;
  }
  protected allocate(n: number): void {
    this.meanSquare = new Float64Array(n);
  }
  protected update(p: Float64Array, g: Float64Array, rate: number): void {
    const e = this.meanSquare;
    const rho = this.rho;
    for (let i = 0; i < p.length; i++) {
      e[i] = rho * e[i] + (1 - rho) * g[i] * g[i];
      p[i] -= (rate * g[i]) / (Math.sqrt(e[i]) + this.epsilon);
    }
  }
}

/** Options of {@link AdaDelta}. */
export interface AdaDeltaOptions extends OptimizerOptions {
  /** Decay ρ of both running means; default 0.9. */
  rho?: number;
  /** Inside both roots; default 1e-6. */
  epsilon?: number;
}

/**
 * AdaDelta (Zeiler 2012): `E[g²] ← ρ E[g²] + (1 − ρ) g²`,
 * `Δ = −√(E[Δ²] + ε) / √(E[g²] + ε) · g`, `E[Δ²] ← ρ E[Δ²] + (1 − ρ) Δ²`, `p ← p + η Δ`.
 * The paper has no η; η (default 1, as in PyTorch) scales the step. Default ρ = 0.9, ε = 1e-6.
 */
export class AdaDelta extends BaseOptimizer {
  readonly name = 'adadelta';
  private readonly rho: number;
  private readonly epsilon: number;
  private gradSquare = new Float64Array(0);
  private deltaSquare = new Float64Array(0);
  constructor(options: AdaDeltaOptions = {}) {
    super(1, options);
    this.rho = checkUnit('rho', options.rho ?? 0.9);
    this.epsilon = options.epsilon ?? 1e-6;
  }
  protected allocate(n: number): void {
    this.gradSquare = new Float64Array(n);
    this.deltaSquare = new Float64Array(n);
  }
  protected update(p: Float64Array, g: Float64Array, rate: number): void {
    const eg = this.gradSquare;
    const ed = this.deltaSquare;
    const rho = this.rho;
    const eps = this.epsilon;
    for (let i = 0; i < p.length; i++) {
      eg[i] = rho * eg[i] + (1 - rho) * g[i] * g[i];
      const delta = (-Math.sqrt(ed[i] + eps) / Math.sqrt(eg[i] + eps)) * g[i];
      ed[i] = rho * ed[i] + (1 - rho) * delta * delta;
      p[i] += rate * delta;
    }
  }
}

/** Options of {@link Adam} and {@link RAdam}. */
export interface AdamOptions extends OptimizerOptions {
  /** Decay of the first moment; default 0.9. */
  beta1?: number;
  /** Decay of the second moment; default 0.999. */
  beta2?: number;
  /** Added to the root of the second moment; default 1e-8. */
  epsilon?: number;
}

/**
 * Adam (Kingma & Ba 2015) with bias correction:
 * `m ← β1 m + (1 − β1) g`, `v ← β2 v + (1 − β2) g²`, `m̂ = m / (1 − β1^t)`,
 * `v̂ = v / (1 − β2^t)`, `p ← p − η m̂ / (√v̂ + ε)`.
 * Defaults η = 0.001, β1 = 0.9, β2 = 0.999, ε = 1e-8.
 */
export class Adam extends BaseOptimizer {
  readonly name: string = 'adam';
  protected readonly beta1: number;
  protected readonly beta2: number;
  protected readonly epsilon: number;
  protected m = new Float64Array(0);
  protected v = new Float64Array(0);
  constructor(options: AdamOptions = {}) {
    super(0.001, options);
    this.beta1 = checkUnit('beta1', options.beta1 ?? 0.9);
    this.beta2 = checkUnit('beta2', options.beta2 ?? 0.999);
    this.epsilon = options.epsilon ?? 1e-8;
  }
  protected allocate(n: number): void {
    this.m = new Float64Array(n);
    this.v = new Float64Array(n);
  }
  /** Update both moments with `g`. */
  protected moments(g: Float64Array): void {
    const { m, v, beta1: b1, beta2: b2 } = this;
    for (let i = 0; i < g.length; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
    }
  }
  protected update(p: Float64Array, g: Float64Array, rate: number, t: number): void {
    this.moments(g);
    const c1 = 1 - this.beta1 ** t;
    const c2 = 1 - this.beta2 ** t;
    const { m, v, epsilon } = this;
    for (let i = 0; i < p.length; i++) {
      p[i] -= (rate * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + epsilon);
    }
  }
}

/**
 * Rectified Adam (Liu et al., "On the variance of the adaptive learning rate and beyond",
 * ICLR 2020). With `ρ∞ = 2/(1 − β2) − 1` and `ρt = ρ∞ − 2 t β2^t / (1 − β2^t)`: while
 * `ρt <= 5` (the variance of the adaptive rate is intractable; the threshold of the
 * authors' code) it takes the bias-corrected momentum step `p ← p − η m̂`; then
 * `p ← p − η r m̂ / (√v̂ + ε)` with `r = √((ρt − 4)(ρt − 2) ρ∞ / ((ρ∞ − 4)(ρ∞ − 2) ρt))`.
 * Same defaults as {@link Adam}.
 */
export class RAdam extends Adam {
  override readonly name = 'radam';
  protected override update(p: Float64Array, g: Float64Array, rate: number, t: number): void {
    this.moments(g);
    const b2t = this.beta2 ** t;
    const c1 = 1 - this.beta1 ** t;
    const rhoInf = 2 / (1 - this.beta2) - 1;
    const rho = rhoInf - (2 * t * b2t) / (1 - b2t);
    const { m, v, epsilon } = this;
    if (rho > 5) {
      const r = Math.sqrt(((rho - 4) * (rho - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho));
      const c2 = 1 - b2t;
      for (let i = 0; i < p.length; i++) p[i] -= (rate * r * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + epsilon);
    } else {
      for (let i = 0; i < p.length; i++) p[i] -= rate * (m[i] / c1);
    }
  }
}
