/**
 * The named errors of the explicit [LBM24] constructions (MATH §10): each says which input was
 * wrong and why, so a caller can tell a bad token from a construction used beyond what it was
 * built for.
 *
 * @module
 */

/** An error whose `name` is its class's name (so each error below names itself). */
class NamedError extends Error {
  override name = this.constructor.name;
}

/** A `RangeError` whose `name` is its class's name. */
class NamedRangeError extends RangeError {
  override name = this.constructor.name;
}

/** A token (or token matrix) whose shape or layout does not match the construction's. */
export class TokenShapeError extends NamedRangeError {}

/** More tokens (time steps, episodes) than the construction was built for. */
export class HorizonExceededError extends NamedRangeError {}

/** A NaN or ±∞ where a finite number is required (a reward, an arm, a noise draw). */
export class NonFiniteInputError extends NamedRangeError {}

/** A construction parameter out of its range (τ ≤ 0, λ ≤ 0, an accuracy ≤ 0, …). */
export class ConstructionParameterError extends NamedRangeError {}

/**
 * The cached runner's window assumption failed: a head declared to attend only to its last
 * `window + 1` tokens gave a positive score further back (so the fast path would be wrong).
 */
export class WindowViolationError extends NamedError {}

/**
 * The clip of the paper's Definition (`proj_{‖h‖≤R}`) took effect in the cached runner, which
 * (like the paper's proofs) assumes it never does.
 */
export class ClipActiveError extends NamedError {}
