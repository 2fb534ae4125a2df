import { UnmixError } from '../errors.js';
import { createRandom } from '../random.js';
import type { Vector3 } from './shoebox.js';

/**
 * Where to put microphones and talkers in a simulated room: a linear array and seeded
 * random speaker positions around it, for fixtures, benchmarks and `unmix mix`.
 */

/**
 * Positions of a uniform linear microphone array, horizontal, centred on `center`.
 *
 * @param center - array centre, metres
 * @param count - number of microphones (>= 1)
 * @param spacing - distance between neighbours, metres (> 0)
 * @param azimuthDegrees - direction of the array axis in the horizontal plane, degrees
 *   from the x axis; default 0 (along x)
 */
export function linearArray(center: Vector3, count: number, spacing: number, azimuthDegrees = 0): Vector3[] {
  if (!(Number.isInteger(count) && count >= 1)) {
    throw new UnmixError(`an array needs a whole number of microphones >= 1, got ${count}`, 'usage');
  }
  if (!(spacing > 0 && Number.isFinite(spacing))) {
    throw new UnmixError(`microphone spacing must be positive, got ${spacing} m`, 'usage');
  }
  const angle = (azimuthDegrees * Math.PI) / 180;
  const ux = Math.cos(angle);
  const uy = Math.sin(angle);
  return Array.from({ length: count }, (_, i) => {
    const offset = (i - (count - 1) / 2) * spacing;
    return [center[0] + offset * ux, center[1] + offset * uy, center[2]] as const;
  });
}

/** Options of {@link placeSources}. */
export interface PlaceSourcesOptions {
  /** Room size, metres. */
  dimensions: Vector3;
  /** Centre of the microphone array, metres. */
  center: Vector3;
  /** Direction of the array axis in the horizontal plane, degrees from x; default 0. */
  arrayAzimuthDegrees?: number;
  /** Horizontal distance from the centre, metres; default 1. */
  minDistance?: number;
  /** Default 2. */
  maxDistance?: number;
  /**
   * Smallest difference between the sources' angles to the array axis, degrees; default
   * 20. A linear array cannot tell a direction from its mirror image across the axis, so
   * sources are kept apart in that angle (0..180°), not in azimuth.
   */
  minSeparationDegrees?: number;
  /**
   * Keep sources at least this far from the array's end-fire directions, degrees; default 0.
   * Near its axis a linear array hears almost the same delay from neighbouring directions,
   * so benchmarks that want talkers the array can tell apart use e.g. 30.
   */
  endfireMarginDegrees?: number;
  /** Source heights are drawn in this range, metres; default [1.2, 1.8] (clipped to the room). */
  heightRange?: readonly [number, number];
  /** Smallest distance to any wall, metres; default 0.5. */
  wallMargin?: number;
  /** Seed; default 0. */
  seed?: number;
}

/**
 * Seeded random talker positions around a microphone array: horizontal distance in
 * [minDistance, maxDistance] from the centre, at distinct angles to the array axis, at
 * least `wallMargin` from every wall.
 *
 * @param count - number of sources
 * @throws UnmixError when no such placement is found (the room is too small for the distances)
 */
export function placeSources(count: number, options: PlaceSourcesOptions): Vector3[] {
  const { dimensions, center } = options;
  const minDistance = options.minDistance ?? 1;
  const maxDistance = options.maxDistance ?? 2;
  const separation = options.minSeparationDegrees ?? 20;
  const margin = options.wallMargin ?? 0.5;
  const endfire = options.endfireMarginDegrees ?? 0;
  const [lowHeight, highHeight] = options.heightRange ?? [1.2, 1.8];
  if (!(minDistance > 0 && maxDistance >= minDistance)) {
    throw new UnmixError(
      `source distances must satisfy 0 < min <= max, got ${minDistance} to ${maxDistance} m`,
      'usage',
    );
  }
  if (!(endfire >= 0 && endfire < 90)) {
    throw new UnmixError(`the end-fire margin must be in [0, 90) degrees, got ${endfire}`, 'usage');
  }
  if ((count - 1) * separation > 180 - 2 * endfire + 1e-9 && count > 1) {
    throw new UnmixError(`${count} sources cannot be ${separation}° apart around a linear array`, 'usage');
  }
  const axis = ((options.arrayAzimuthDegrees ?? 0) * Math.PI) / 180;
  const rng = createRandom(options.seed ?? 0);
  const zLow = Math.max(margin, Math.min(lowHeight, dimensions[2] - margin));
  const zHigh = Math.max(zLow, Math.min(highHeight, dimensions[2] - margin));
  const positions: Vector3[] = [];
  const angles: number[] = [];
  for (let attempt = 0; attempt < 10000 && positions.length < count; attempt++) {
    const azimuth = 2 * Math.PI * rng.uniform();
    const distance = minDistance + (maxDistance - minDistance) * rng.uniform();
    const z = zLow + (zHigh - zLow) * rng.uniform();
    const p: Vector3 = [center[0] + distance * Math.cos(azimuth), center[1] + distance * Math.sin(azimuth), z];
    if (!p.every((v, i) => v >= margin && v <= dimensions[i] - margin)) continue;
    // Angle to the array axis, folded to 0..180°.
    const relative = Math.abs(Math.atan2(Math.sin(azimuth - axis), Math.cos(azimuth - axis)));
    const degrees = (relative * 180) / Math.PI;
    if (degrees < endfire || degrees > 180 - endfire) continue;
    if (angles.some((a) => Math.abs(a - degrees) < separation)) continue;
    positions.push(p);
    angles.push(degrees);
  }
  if (positions.length < count) {
    throw new UnmixError(
      `could not place ${count} sources ${minDistance}-${maxDistance} m from the array, ${separation}° apart, ` +
        `${margin} m from the walls of a ${dimensions.join(' x ')} m room`,
      'usage',
    );
  }
  return positions;
}
