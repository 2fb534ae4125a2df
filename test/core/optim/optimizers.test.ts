import { describe, expect, it } from 'vitest';
import { UnmixError } from '../../../core/errors.js';
import { OPTIMIZER_NAMES, createOptimizer, parseOptimizerSpec, type Optimizer } from '../../../core/optim/index.js';

/** Two steps of an optimizer on one parameter with gradients g1, g2. */
function twoSteps(opt: Optimizer, p0: number, g1: number, g2: number): [number, number] {
  const p = Float64Array.of(p0);
  opt.step(p, Float64Array.of(g1));
  const first = p[0];
  opt.step(p, Float64Array.of(g2));
  return [first, p[0]];
}

describe('optimizers against hand-computed steps', () => {
  const p0 = 1;
  const g1 = 0.5;
  const g2 = -0.2;

  it('sgd', () => {
    const [a, b] = twoSteps(createOptimizer('sgd:lr=0.1'), p0, g1, g2);
    expect(a).toBeCloseTo(1 - 0.05, 14);
    expect(b).toBeCloseTo(0.95 + 0.02, 14);
  });

  it('momentum', () => {
    // v1 = -0.05, p1 = 0.95; v2 = 0.9 * -0.05 + 0.02 = -0.025, p2 = 0.925
    const [a, b] = twoSteps(createOptimizer('momentum:lr=0.1,momentum=0.9'), p0, g1, g2);
    expect(a).toBeCloseTo(0.95, 14);
    expect(b).toBeCloseTo(0.925, 14);
  });

  it('nesterov', () => {
    // v1 = -0.05, p1 = 1 + 0.9 * -0.05 - 0.05 = 0.905; v2 = -0.025, p2 = 0.905 - 0.0225 + 0.02 = 0.9025
    const [a, b] = twoSteps(createOptimizer('nesterov:lr=0.1,mu=0.9'), p0, g1, g2);
    expect(a).toBeCloseTo(0.905, 14);
    expect(b).toBeCloseTo(0.9025, 14);
  });

  it('adagrad', () => {
    // G1 = 0.25, p1 = 1 - 0.1 * 0.5 / 0.5 = 0.9; G2 = 0.29, p2 = 0.9 + 0.02 / sqrt(0.29)
    const [a, b] = twoSteps(createOptimizer('adagrad:lr=0.1,eps=0'), p0, g1, g2);
    expect(a).toBeCloseTo(0.9, 14);
    expect(b).toBeCloseTo(0.9 + 0.02 / Math.sqrt(0.29), 14);
  });

  it('rmsprop', () => {
    // E1 = 0.1 * 0.25 = 0.025, p1 = 1 - 0.01 * 0.5 / sqrt(0.025); E2 = 0.0225 + 0.004 = 0.0265
    const [a, b] = twoSteps(createOptimizer('rmsprop:lr=0.01,rho=0.9,eps=0'), p0, g1, g2);
    const p1 = 1 - 0.005 / Math.sqrt(0.025);
    expect(a).toBeCloseTo(p1, 14);
    expect(b).toBeCloseTo(p1 + 0.002 / Math.sqrt(0.0265), 14);
  });

  it('adadelta', () => {
    const rho = 0.9;
    const eps = 1e-6;
    const eg1 = (1 - rho) * g1 * g1;
    const d1 = (-Math.sqrt(eps) / Math.sqrt(eg1 + eps)) * g1;
    const ed1 = (1 - rho) * d1 * d1;
    const eg2 = rho * eg1 + (1 - rho) * g2 * g2;
    const d2 = (-Math.sqrt(ed1 + eps) / Math.sqrt(eg2 + eps)) * g2;
    const [a, b] = twoSteps(createOptimizer('adadelta'), p0, g1, g2);
    expect(a).toBeCloseTo(1 + d1, 14);
    expect(b).toBeCloseTo(1 + d1 + d2, 14);
  });

  it('adam with bias correction (first step is -lr * sign(g))', () => {
    const [a, b] = twoSteps(createOptimizer('adam'), p0, g1, g2);
    expect(a).toBeCloseTo(1 - 0.001 * (0.5 / (0.5 + 1e-8)), 14);
    const m2 = 0.9 * 0.05 + 0.1 * g2;
    const v2 = 0.999 * 0.001 * 0.25 + 0.001 * g2 * g2;
    const step2 = (0.001 * (m2 / (1 - 0.81))) / (Math.sqrt(v2 / (1 - 0.999 ** 2)) + 1e-8);
    expect(b).toBeCloseTo(a - step2, 14);
  });

  it('radam takes momentum steps until the variance is tractable, then rectified steps', () => {
    const opt = createOptimizer('radam:lr=0.1');
    const p = Float64Array.of(0);
    opt.step(p, Float64Array.of(1));
    // t = 1: rho_1 = 1 <= 5, step = lr * m_hat = 0.1 * 1
    expect(p[0]).toBeCloseTo(-0.1, 14);
    for (let t = 2; t <= 6; t++) opt.step(p, Float64Array.of(1));
    const before = p[0];
    opt.step(p, Float64Array.of(1)); // t = 7: rho_7 > 5
    const b2 = 0.999;
    const rhoInf = 2 / (1 - b2) - 1;
    const rho7 = rhoInf - (2 * 7 * b2 ** 7) / (1 - b2 ** 7);
    expect(rho7).toBeGreaterThan(5);
    const r = Math.sqrt(((rho7 - 4) * (rho7 - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho7));
    // constant gradient 1: m_hat = 1, v_hat = 1
    expect(before - p[0]).toBeCloseTo((0.1 * r) / (1 + 1e-8), 12);
  });

  it('applies the schedule to the base rate, and reset restarts it', () => {
    const opt = createOptimizer({ name: 'sgd', learningRate: 1 }, 'warmup:4+step:2:0.5');
    const p = Float64Array.of(0);
    const g = Float64Array.of(1);
    const steps: number[] = [];
    for (let k = 0; k < 6; k++) {
      const before = p[0];
      opt.step(p, g);
      steps.push(before - p[0]);
    }
    expect(steps).toEqual([0.25, 0.5, 0.375, 0.5, 0.25, 0.25]);
    opt.reset();
    expect(opt.steps).toBe(0);
    const before = p[0];
    opt.step(p, g);
    expect(before - p[0]).toBe(0.25);
  });
});

describe('optimizers on test problems', () => {
  // Convex quadratic f(p) = ½ Σ a_i (p_i - c_i)², condition number 10.
  const a = [1, 3, 10];
  const c = [1, -2, 0.5];
  const rates: Record<string, string> = {
    sgd: 'sgd:lr=0.09',
    momentum: 'momentum:lr=0.02',
    nesterov: 'nesterov:lr=0.02',
    adagrad: 'adagrad:lr=0.5',
    rmsprop: 'rmsprop:lr=0.01',
    adadelta: 'adadelta:lr=1',
    adam: 'adam:lr=0.05',
    radam: 'radam:lr=0.05',
  };
  for (const name of OPTIMIZER_NAMES) {
    it(`${name} minimises a convex quadratic`, () => {
      const opt = createOptimizer(rates[name], name === 'adadelta' ? undefined : 'step:1000:0.3');
      const p = new Float64Array(3);
      const g = new Float64Array(3);
      const iterations = name === 'adadelta' ? 20000 : 4000;
      for (let k = 0; k < iterations; k++) {
        for (let i = 0; i < 3; i++) g[i] = a[i] * (p[i] - c[i]);
        opt.step(p, g);
      }
      for (let i = 0; i < 3; i++) expect(Math.abs(p[i] - c[i])).toBeLessThan(name === 'adadelta' ? 0.05 : 1e-3);
    });
  }

  // Rosenbrock f(x, y) = (1 - x)² + 100 (y - x²)²: a curved, ill-conditioned valley.
  const rosenbrock: Record<string, string> = {
    sgd: 'sgd:lr=0.001',
    momentum: 'momentum:lr=0.0002,momentum=0.9',
    nesterov: 'nesterov:lr=0.0002,momentum=0.9',
    adagrad: 'adagrad:lr=0.2',
    rmsprop: 'rmsprop:lr=0.001',
    adadelta: 'adadelta:lr=1,rho=0.95',
    adam: 'adam:lr=0.01',
    // RAdam's first steps are un-normalised momentum steps: the rate must suit the raw gradient (~200 here).
    radam: 'radam:lr=0.001',
  };
  for (const name of OPTIMIZER_NAMES) {
    it(`${name} makes progress on the Rosenbrock valley`, () => {
      const opt = createOptimizer(rosenbrock[name]);
      const p = Float64Array.of(-1.2, 1);
      const g = new Float64Array(2);
      const f = (): number => (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2;
      const f0 = f();
      for (let k = 0; k < 20000; k++) {
        g[0] = -2 * (1 - p[0]) - 400 * p[0] * (p[1] - p[0] ** 2);
        g[1] = 200 * (p[1] - p[0] ** 2);
        opt.step(p, g);
      }
      expect(Number.isFinite(f())).toBe(true);
      expect(f()).toBeLessThan(f0 / 20);
      if (['adam', 'radam', 'momentum', 'nesterov', 'rmsprop'].includes(name)) {
        expect(Math.hypot(p[0] - 1, p[1] - 1)).toBeLessThan(0.05);
      }
    });
  }
});

describe('createOptimizer', () => {
  it('parses the text form with aliases', () => {
    expect(parseOptimizerSpec('adam:lr=0.01,beta2=0.99,eps=1e-6')).toEqual({
      name: 'adam',
      learningRate: 0.01,
      beta2: 0.99,
      epsilon: 1e-6,
    });
    expect(createOptimizer('RAdam').name).toBe('radam');
    expect(createOptimizer('adam').learningRate).toBe(0.001);
  });

  it('rejects unknown names, options, values and schedules with usage errors', () => {
    const bad = ['magic', 'adam:lr=x', 'adam:foo=1', 'sgd:momentum=0.9', 'adam:lr=-1', 'momentum:mu=1'];
    for (const text of bad) {
      expect(() => createOptimizer(text), text).toThrow(UnmixError);
    }
    expect(() => createOptimizer('sgd', 'cosine:3')).toThrow(/bad schedule 'cosine:3'/);
    expect(() => createOptimizer('sgd', 'step:0:0.1')).toThrow(UnmixError);
  });

  it('refuses a gradient of another length, and reuse for another size', () => {
    const opt = createOptimizer('adam');
    expect(() => opt.step(new Float64Array(2), new Float64Array(3))).toThrow(/3 values but there are 2/);
    opt.step(new Float64Array(2), new Float64Array(2));
    expect(() => opt.step(new Float64Array(3), new Float64Array(3))).toThrow(/another size/);
  });
});
