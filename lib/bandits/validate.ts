/**
 * Config validation shared by the bandit modules: configs are plain objects whose keys must all
 * be known (a typo such as `noiseSd` throws instead of being silently ignored).
 *
 * @module
 */

/**
 * Require `obj` to be a plain object whose keys all appear in `allowed`; the error names the
 * config and the unknown key.
 *
 * @example
 * ```ts
 * import { assertKnownKeys } from "./validate.ts";
 * assertKnownKeys("linear bandit", { dim: 5 }, ["dim", "numArms"]); // ok
 * ```
 */
export function assertKnownKeys(
  name: string,
  obj: unknown,
  allowed: readonly string[],
): void {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
    throw new TypeError(`${name} must be an object, got ${JSON.stringify(obj)}`);
  }
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) {
      throw new RangeError(
        `${name}: unknown key ${JSON.stringify(k)} (allowed: ${allowed.join(", ")})`,
      );
    }
  }
}
