/**
 * Input validation shared by every public function of the library. Each check throws a
 * `RangeError`/`TypeError` whose message names the offending argument and value.
 *
 * @module
 */

/** Format a number or short array for an error message. */
function show(v: unknown): string {
  if (typeof v === "number") return Number.isNaN(v) ? "NaN" : String(v);
  return String(v);
}

/**
 * Require an integer in `[min, max]`.
 *
 * @example
 * ```ts
 * assertInt("n", 20, 1); // ok
 * ```
 */
export function assertInt(name: string, value: number, min = -Infinity, max = Infinity): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(
      `${name} must be an integer in [${min}, ${max}], got ${show(value)}`,
    );
  }
}

/**
 * Require a finite number in `[min, max]`.
 *
 * @example
 * ```ts
 * assertNumber("gamma", 0.5, 0, 1); // ok
 * ```
 */
export function assertNumber(name: string, value: number, min = -Infinity, max = Infinity): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`${name} must be a finite number in [${min}, ${max}], got ${show(value)}`);
  }
}

/**
 * Require an array-like of exactly `length` finite numbers. Reports the first bad index.
 *
 * @example
 * ```ts
 * assertFiniteArray("w", new Float64Array(3), 3); // ok
 * ```
 */
export function assertFiniteArray(
  name: string,
  arr: ArrayLike<number>,
  length?: number,
): void {
  if (arr === null || arr === undefined || typeof arr.length !== "number") {
    throw new TypeError(`${name} must be an array of numbers, got ${show(arr)}`);
  }
  if (length !== undefined && arr.length !== length) {
    throw new RangeError(`${name} must have length ${length}, got length ${arr.length}`);
  }
  for (let i = 0; i < arr.length; i++) {
    const x = arr[i];
    if (typeof x !== "number" || !Number.isFinite(x)) {
      throw new RangeError(`${name}[${i}] must be finite, got ${show(x)}`);
    }
  }
}

/**
 * Require `arr[offset … offset+k−1]` to be a probability vector: entries ≥ 0 and summing to 1
 * within `tol`.
 *
 * @example
 * ```ts
 * assertProbVector("p0", [0.25, 0.75]); // ok
 * ```
 */
export function assertProbVector(
  name: string,
  arr: ArrayLike<number>,
  offset = 0,
  k = arr.length - offset,
  tol = 1e-9,
): void {
  let sum = 0;
  for (let i = 0; i < k; i++) {
    const x = arr[offset + i];
    if (!Number.isFinite(x) || x < 0) {
      throw new RangeError(`${name}: entry ${i} must be a finite probability ≥ 0, got ${show(x)}`);
    }
    sum += x;
  }
  if (Math.abs(sum - 1) > tol) {
    throw new RangeError(`${name} must sum to 1 (±${tol}), sums to ${sum}`);
  }
}
