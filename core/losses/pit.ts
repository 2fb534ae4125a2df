import { UnmixError } from '../errors.js';
import type { PairLoss } from './siSdr.js';

/**
 * Permutation-invariant training (PIT; Yu, Kolbæk, Tan & Jensen, ICASSP 2017): a
 * separator's outputs come in no particular order, so a loss is taken under the
 * assignment of estimates to references that makes it smallest. The search over the
 * n! assignments is exhaustive for few sources and the Hungarian algorithm
 * (Kuhn 1955; Jonker–Volgenant shortest augmenting paths, O(n²m)) beyond, which is exact
 * as well: it minimises any sum of pairwise costs.
 */

/** Largest number of references for which {@link bestAssignment} enumerates all permutations by default. */
export const PIT_EXHAUSTIVE_LIMIT = 4;

/** How {@link bestAssignment} searches. */
export type AssignmentSearch = 'auto' | 'exhaustive' | 'hungarian';

/** The best assignment of a cost matrix. */
export interface Assignment {
  /** `permutation[i]` = the column (estimate) assigned to row (reference) `i`; all distinct. */
  permutation: number[];
  /** Sum of the chosen costs. */
  cost: number;
}

function checkCosts(costs: readonly (readonly number[] | Float64Array)[]): [number, number] {
  const n = costs.length;
  const m = n === 0 ? 0 : costs[0].length;
  if (n > m) {
    throw new UnmixError(`cannot assign ${n} references to ${m} estimates: need at least as many estimates`, 'usage');
  }
  for (const row of costs) {
    if (row.length !== m) throw new UnmixError('cost matrix rows differ in length', 'usage');
    for (let j = 0; j < m; j++) {
      if (Number.isNaN(row[j])) throw new UnmixError('cost matrix holds NaN', 'input');
    }
  }
  return [n, m];
}

/**
 * The assignment minimising `Σ_i costs[i][permutation[i]]` by enumerating every
 * injective map of the n rows into the m columns (n ≤ m): m!/(m−n)! candidates, so only
 * for small n (8 sources: 40320). The reference {@link hungarianAssignment} is tested
 * against. Ties go to the lexicographically first permutation.
 *
 * @param costs - n x m, `costs[i][j]` = cost of giving estimate j to reference i
 */
export function exhaustiveAssignment(costs: readonly (readonly number[] | Float64Array)[]): Assignment {
  const [n, m] = checkCosts(costs);
  if (n === 0) return { permutation: [], cost: 0 };
  // Pruning on partial sums is valid only for non-negative costs: shift them to be so.
  let minimum = Infinity;
  for (const row of costs) for (let j = 0; j < m; j++) minimum = Math.min(minimum, row[j]);
  const shifted = costs.map((row) => Array.from(row, (c) => c - minimum));
  const current = new Array<number>(n).fill(0);
  const used = new Uint8Array(m);
  let best: number[] = [];
  let bestCost = Infinity;
  const visit = (i: number, partial: number): void => {
    if (partial >= bestCost) return;
    if (i === n) {
      bestCost = partial;
      best = current.slice();
      return;
    }
    const row = shifted[i];
    for (let j = 0; j < m; j++) {
      if (used[j]) continue;
      used[j] = 1;
      current[i] = j;
      visit(i + 1, partial + row[j]);
      used[j] = 0;
    }
  };
  visit(0, 0);
  let cost = 0;
  for (let i = 0; i < n; i++) cost += costs[i][best[i]];
  return { permutation: best, cost };
}

/**
 * The assignment minimising `Σ_i costs[i][permutation[i]]` with the Hungarian algorithm
 * in its shortest-augmenting-path form with row and column potentials (Kuhn 1955,
 * Munkres 1957, Jonker & Volgenant 1987): O(n² m), exact, n ≤ m.
 *
 * @param costs - n x m, finite
 */
export function hungarianAssignment(costs: readonly (readonly number[] | Float64Array)[]): Assignment {
  const [n, m] = checkCosts(costs);
  // 1-based arrays as in the classic formulation; index 0 is the virtual start column.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const rowOfColumn = new Int32Array(m + 1); // 0 = free
  const way = new Int32Array(m + 1);
  const minTo = new Float64Array(m + 1);
  const visited = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    rowOfColumn[0] = i;
    let j0 = 0;
    minTo.fill(Infinity);
    visited.fill(0);
    do {
      visited[j0] = 1;
      const i0 = rowOfColumn[j0];
      let delta = Infinity;
      let j1 = 0;
      const row = costs[i0 - 1];
      for (let j = 1; j <= m; j++) {
        if (visited[j]) continue;
        const reduced = row[j - 1] - u[i0] - v[j];
        if (reduced < minTo[j]) {
          minTo[j] = reduced;
          way[j] = j0;
        }
        if (minTo[j] < delta) {
          delta = minTo[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (visited[j]) {
          u[rowOfColumn[j]] += delta;
          v[j] -= delta;
        } else {
          minTo[j] -= delta;
        }
      }
      j0 = j1;
    } while (rowOfColumn[j0] !== 0);
    do {
      const j1 = way[j0];
      rowOfColumn[j0] = rowOfColumn[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const permutation = new Array<number>(n).fill(-1);
  for (let j = 1; j <= m; j++) if (rowOfColumn[j] !== 0) permutation[rowOfColumn[j] - 1] = j - 1;
  let cost = 0;
  for (let i = 0; i < n; i++) cost += costs[i][permutation[i]];
  return { permutation, cost };
}

/**
 * The best assignment of a cost matrix: exhaustive for n ≤ {@link PIT_EXHAUSTIVE_LIMIT},
 * Hungarian beyond (both exact; they differ only in how ties are broken).
 *
 * @param costs - n x m (n references, m ≥ n estimates)
 * @param search - `auto` (default), `exhaustive` or `hungarian`
 */
export function bestAssignment(
  costs: readonly (readonly number[] | Float64Array)[],
  search: AssignmentSearch = 'auto',
): Assignment {
  const useExhaustive = search === 'exhaustive' || (search === 'auto' && costs.length <= PIT_EXHAUSTIVE_LIMIT);
  return useExhaustive ? exhaustiveAssignment(costs) : hungarianAssignment(costs);
}

/** Options of {@link pit}. */
export interface PitOptions {
  /** If given (one buffer per estimate), receives the gradient of the PIT loss with respect to each estimate; unassigned estimates get zeros. */
  gradients?: readonly Float64Array[];
  /** Assignment search; default `auto`. */
  search?: AssignmentSearch;
}

/** The result of {@link pit}. */
export interface PitResult {
  /** Mean pair loss over the references under the best assignment. */
  loss: number;
  /** `permutation[i]` = the estimate assigned to reference `i`. */
  permutation: number[];
  /** The pair loss of each reference under that assignment. */
  losses: Float64Array;
  /** The full n x m matrix of pair losses, `pairLosses[i][j]` = loss(estimate j, reference i). */
  pairLosses: Float64Array[];
}

/**
 * Permutation-invariant loss: the mean of `loss(estimates[permutation[i]], references[i])`
 * over references, for the permutation that minimises it, with the gradient through
 * that permutation (the assignment is piecewise constant, so the gradient is the
 * pair losses' gradients routed to the assigned estimates and divided by n).
 *
 * Cost: n·m pair-loss evaluations plus the assignment; then n evaluations with gradient.
 *
 * @param estimates - m estimated sources (m ≥ n), all the same length
 * @param references - n reference sources, same length as the estimates
 * @param loss - a pair loss with gradient, e.g. `negativeSiSdr`
 */
export function pit(
  estimates: readonly Float64Array[],
  references: readonly Float64Array[],
  loss: PairLoss,
  options: PitOptions = {},
): PitResult {
  const n = references.length;
  const m = estimates.length;
  if (n === 0) throw new UnmixError('pit needs at least one reference', 'usage');
  if (m < n) throw new UnmixError(`${m} estimates for ${n} references: need at least as many estimates`, 'usage');
  if (options.gradients && options.gradients.length !== m) {
    throw new UnmixError(`${options.gradients.length} gradient buffers for ${m} estimates`, 'usage');
  }
  const pairLosses: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const row = new Float64Array(m);
    for (let j = 0; j < m; j++) row[j] = loss(estimates[j], references[i]);
    pairLosses.push(row);
  }
  const { permutation } = bestAssignment(pairLosses, options.search);
  const losses = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    losses[i] = pairLosses[i][permutation[i]];
    sum += losses[i];
  }
  if (options.gradients) {
    const assigned = new Uint8Array(m);
    for (let i = 0; i < n; i++) {
      const j = permutation[i];
      const g = options.gradients[j];
      loss(estimates[j], references[i], g);
      for (let t = 0; t < g.length; t++) g[t] /= n;
      assigned[j] = 1;
    }
    for (let j = 0; j < m; j++) if (!assigned[j]) options.gradients[j].fill(0);
  }
  return { loss: sum / n, permutation, losses, pairLosses };
}
