/**
 * Input validation shared by every public function of the library. Each check throws a
 * `RangeError`/`TypeError` whose message names the offending argument and value.
 *
 * @module
 */

/** Format a value for an error message (see {@linkcode showValue}). */
function show(v: unknown): string {
  return showValue(v);
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
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
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
 * Require an array-like of length `len` (exactly, or at least `len` with `exact = false`); O(1),
 * the entries are not read (for hot paths that check finiteness of results instead).
 *
 * @example
 * ```ts
 * import { assertLength } from "./validate.ts";
 * assertLength("X", new Float64Array(6), 6); // ok
 * ```
 */
export function assertLength(name: string, a: ArrayLike<number>, len: number, exact = true): void {
  if (a === null || a === undefined || typeof a.length !== "number") {
    throw new TypeError(`${name} must be an array of numbers, got ${String(a)}`);
  }
  if (exact ? a.length !== len : a.length < len) {
    throw new RangeError(
      `${name} must have length ${exact ? "" : "≥ "}${len}, got length ${a.length}`,
    );
  }
}

/**
 * Name the first non-finite entry among the first `len` entries of each input, in order (the
 * slow scan run only after a kernel produced a non-finite result). Returns if all are finite.
 *
 * @example
 * ```ts
 * import { assertFiniteInputs } from "./validate.ts";
 * assertFiniteInputs([["X", [1, 2], 2], ["theta", [0.5], 1]]); // ok
 * ```
 */
export function assertFiniteInputs(inputs: [string, ArrayLike<number>, number][]): void {
  for (const [name, a, len] of inputs) {
    assertFiniteArray(name, Array.prototype.slice.call(a, 0, len), len);
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
  if (arr === null || arr === undefined || typeof arr.length !== "number") {
    throw new TypeError(`${name} must be an array of probabilities, got ${show(arr)}`);
  }
  if (offset + k > arr.length) {
    throw new RangeError(`${name} needs ${offset + k} entries, got length ${arr.length}`);
  }
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

/**
 * Render any value for an error message: `NaN`, `Infinity`, `-Infinity`, `undefined`, strings
 * quoted, short arrays and objects as JSON (long ones cut), typed arrays by kind and length. Unlike
 * `JSON.stringify`, a non-finite number is never shown as `null`.
 *
 * @example
 * ```ts
 * showValue(NaN); // "NaN"
 * showValue("abc"); // "\"abc\""
 * ```
 */
export function showValue(v: unknown): string {
  if (typeof v === "number") return Object.is(v, -0) ? "0" : String(v);
  if (typeof v === "string") return JSON.stringify(v.length > 60 ? v.slice(0, 57) + "..." : v);
  if (v === undefined || v === null || typeof v !== "object") return String(v);
  if (ArrayBuffer.isView(v)) {
    return `${v.constructor.name}(${(v as unknown as ArrayLike<number>).length})`;
  }
  try {
    const s = JSON.stringify(
      v,
      (_k, x) => typeof x === "number" && !Number.isFinite(x) ? String(x) : x,
    );
    return s.length > 80 ? s.slice(0, 77) + "..." : s;
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/** Edit distance between two strings (case-insensitive), for "did you mean" hints. */
function editDistance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The valid key closest to `key` (case-insensitive edit distance; ties → first listed).
 *
 * @example
 * ```ts
 * closestKey("lR", ["lr", "lrDecay"]); // "lr"
 * ```
 */
export function closestKey(key: string, valid: readonly string[]): string | undefined {
  let best: string | undefined, bestD = Infinity;
  for (const v of valid) {
    const d = editDistance(key, v);
    if (d < bestD) [best, bestD] = [v, d];
  }
  return best;
}

/**
 * Require a plain object (not null, not an array).
 *
 * @example
 * ```ts
 * assertObject("config", { K: 1 }); // ok
 * ```
 */
export function assertObject(
  name: string,
  value: unknown,
): asserts value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`${name} must be an object, got ${showValue(value)}`);
  }
}

/**
 * Require that every own key of `obj` is one of `valid`; an unknown key throws a `RangeError`
 * naming it and the closest valid key.
 *
 * @example
 * ```ts
 * assertKnownKeys("trainConfig", { lr: 1e-3 }, ["lr", "K"]); // ok
 * // assertKnownKeys("trainConfig", { lR: 1e-3 }, ["lr", "K"]); // throws: unknown key "lR" (did you mean "lr"?)
 * ```
 */
export function assertKnownKeys(what: string, obj: unknown, valid: readonly string[]): void {
  assertObject(what, obj);
  for (const k of Object.keys(obj)) {
    if (!valid.includes(k)) {
      const near = closestKey(k, valid);
      throw new RangeError(
        `${what}: unknown key ${JSON.stringify(k)}` +
          (near ? ` (did you mean ${JSON.stringify(near)}?)` : "") +
          `; valid keys: ${valid.join(", ")}`,
      );
    }
  }
}

/**
 * Require `value` to be one of `options` (compared with `===`).
 *
 * @example
 * ```ts
 * assertOneOf("param", "full", ["restricted", "full"]); // ok
 * ```
 */
export function assertOneOf<T>(
  name: string,
  value: unknown,
  options: readonly T[],
): asserts value is T {
  if (!options.includes(value as T)) {
    throw new RangeError(
      `${name} must be one of ${options.map((o) => JSON.stringify(o)).join(", ")}, got ${
        showValue(value)
      }`,
    );
  }
}

/**
 * Require a finite number `> 0` (`strict`) — for gains, rates and scales where 0 is meaningless.
 *
 * @example
 * ```ts
 * assertPositive("initGain", 0.1); // ok
 * ```
 */
export function assertPositive(name: string, value: number, max = Infinity): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > max) {
    throw new RangeError(`${name} must be a finite number in (0, ${max}], got ${showValue(value)}`);
  }
}

/**
 * Require an array-like of exactly `length` integers in `[0, bound)` (state or action indices).
 *
 * @example
 * ```ts
 * assertIndexArray("traj.s", new Int32Array([0, 2, 1]), 3, 3); // ok
 * ```
 */
export function assertIndexArray(
  name: string,
  arr: ArrayLike<number>,
  length: number,
  bound = Infinity,
): void {
  if (arr === null || arr === undefined || typeof arr.length !== "number") {
    throw new TypeError(`${name} must be an array of integers, got ${showValue(arr)}`);
  }
  if (arr.length !== length) {
    throw new RangeError(`${name} must have length ${length}, got length ${arr.length}`);
  }
  for (let i = 0; i < length; i++) {
    const x = arr[i];
    if (!Number.isInteger(x) || x < 0 || x >= bound) {
      throw new RangeError(
        `${name}[${i}] must be an integer in [0, ${bound - 1}], got ${showValue(x)}`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Validated ("branded") objects.

declare const validBrand: unique symbol;

/**
 * `T` after a validator accepted it. The brand is a compile-time tag only: at run time a validated
 * object is remembered (by identity, in a `WeakSet` per kind), so re-validating it is O(1) and the
 * hot paths (rollout, teachers, readouts, training step) do no per-call scans. Mutating a
 * validated object's arrays afterwards voids the guarantee; outputs of the hot paths are still
 * checked for finiteness where that is O(output).
 */
export type Validated<T, Kind extends string> = T & { readonly [validBrand]: Kind };

const registries = new Map<string, WeakSet<object>>();

/**
 * Record that `obj` passed the validator of `kind`; returns it with the brand.
 *
 * @example
 * ```ts
 * const x = markValid({ a: 1 }, "Demo"); // isValid(x, "Demo") === true
 * ```
 */
export function markValid<T extends object, K extends string>(obj: T, kind: K): Validated<T, K> {
  let set = registries.get(kind);
  if (!set) registries.set(kind, set = new WeakSet());
  set.add(obj);
  return obj as Validated<T, K>;
}

/**
 * Whether `obj` passed the validator of `kind` before (O(1)).
 *
 * @example
 * ```ts
 * isValid({}, "Mdp"); // false
 * ```
 */
export function isValid(obj: unknown, kind: string): boolean {
  return obj !== null && typeof obj === "object" && registries.get(kind)?.has(obj) === true;
}
