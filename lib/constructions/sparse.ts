/**
 * Sparse weight matrices (compressed sparse rows, float64) for the explicit [LBM24]
 * constructions (MATH §10). The paper's matrices — `Q_m, K_m, V_m ∈ R^{D×D}`, `W_1 ∈ R^{D′×D}`,
 * `W_2 ∈ R^{D×D′}` — are full matrices in the definition; the constructions fill a handful of
 * entries each, so they are stored sparse and multiplied in O(nnz). {@linkcode toDense} gives the
 * literal matrix back.
 *
 * @module
 */

import { ConstructionParameterError } from "./errors.ts";

/** A rows × cols matrix in compressed sparse row form; entries of a row sorted by column. */
export interface SparseMatrix {
  /** Rows. */
  readonly rows: number;
  /** Columns. */
  readonly cols: number;
  /** Row r holds entries `rowPtr[r] … rowPtr[r+1]−1`. */
  readonly rowPtr: Int32Array;
  /** Column of each entry. */
  readonly colIdx: Int32Array;
  /** Value of each entry (never 0). */
  readonly values: Float64Array;
}

/**
 * Accumulates `(row, col, value)` entries (repeated positions add up) and builds a
 * {@linkcode SparseMatrix}; entries that sum to exactly 0 are dropped.
 */
export class SparseBuilder {
  private readonly acc = new Map<number, number>();

  /** @param rows rows of the matrix; @param cols columns. */
  constructor(readonly rows: number, readonly cols: number) {
    if (!(Number.isInteger(rows) && rows >= 0 && Number.isInteger(cols) && cols >= 0)) {
      throw new ConstructionParameterError(
        `SparseBuilder: rows and cols must be integers ≥ 0, got ${rows} × ${cols}`,
      );
    }
  }

  /**
   * Add `value` at `(row, col)`.
   *
   * @example
   * ```ts
   * import { SparseBuilder } from "./sparse.ts";
   * const m = new SparseBuilder(2, 3).add(0, 1, 2).add(0, 1, 1).add(1, 2, -1).build();
   * m.values; // Float64Array [3, -1]
   * ```
   */
  add(row: number, col: number, value: number): this {
    if (!(Number.isInteger(row) && row >= 0 && row < this.rows)) {
      throw new ConstructionParameterError(`SparseBuilder: row ${row} outside [0, ${this.rows})`);
    }
    if (!(Number.isInteger(col) && col >= 0 && col < this.cols)) {
      throw new ConstructionParameterError(`SparseBuilder: col ${col} outside [0, ${this.cols})`);
    }
    if (!Number.isFinite(value)) {
      throw new ConstructionParameterError(
        `SparseBuilder: entry (${row}, ${col}) must be finite, got ${value}`,
      );
    }
    const key = row * this.cols + col;
    this.acc.set(key, (this.acc.get(key) ?? 0) + value);
    return this;
  }

  /** The matrix of the entries added so far. */
  build(): SparseMatrix {
    const keys = [...this.acc.keys()].filter((k) => this.acc.get(k) !== 0).sort((a, b) => a - b);
    const rowPtr = new Int32Array(this.rows + 1);
    const colIdx = new Int32Array(keys.length);
    const values = new Float64Array(keys.length);
    keys.forEach((k, n) => {
      const r = Math.floor(k / this.cols);
      rowPtr[r + 1]++;
      colIdx[n] = k - r * this.cols;
      values[n] = this.acc.get(k)!;
    });
    for (let r = 0; r < this.rows; r++) rowPtr[r + 1] += rowPtr[r];
    return { rows: this.rows, cols: this.cols, rowPtr, colIdx, values };
  }
}

/**
 * A sparse matrix from a list of `[row, col, value]` entries (see {@linkcode SparseBuilder}).
 *
 * @example
 * ```ts
 * import { sparse } from "./sparse.ts";
 * sparse(2, 2, [[0, 0, 1], [1, 1, 1]]).values.length; // 2: the identity
 * ```
 */
export function sparse(
  rows: number,
  cols: number,
  entries: Iterable<readonly [number, number, number]>,
): SparseMatrix {
  const b = new SparseBuilder(rows, cols);
  for (const [r, c, v] of entries) b.add(r, c, v);
  return b.build();
}

/**
 * `out[outOff + r] = (M x)_r` for every row r of M, reading `x[xOff + c]`.
 *
 * @example
 * ```ts
 * import { sparse, spmv } from "./sparse.ts";
 * const out = new Float64Array(2);
 * spmv(sparse(2, 2, [[0, 1, 2], [1, 0, 3]]), new Float64Array([1, 10]), 0, out, 0);
 * out; // Float64Array [20, 3]
 * ```
 */
export function spmv(
  M: SparseMatrix,
  x: ArrayLike<number>,
  xOff: number,
  out: Float64Array,
  outOff: number,
): void {
  const { rows, rowPtr, colIdx, values } = M;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let n = rowPtr[r]; n < rowPtr[r + 1]; n++) s += values[n] * x[xOff + colIdx[n]];
    out[outOff + r] = s;
  }
}

/**
 * The dense row-major copy of M (rows × cols).
 *
 * @example
 * ```ts
 * import { sparse, toDense } from "./sparse.ts";
 * toDense(sparse(2, 2, [[1, 0, 5]])); // Float64Array [0, 0, 5, 0]
 * ```
 */
export function toDense(M: SparseMatrix): Float64Array {
  const out = new Float64Array(M.rows * M.cols);
  for (let r = 0; r < M.rows; r++) {
    for (let n = M.rowPtr[r]; n < M.rowPtr[r + 1]; n++) out[r * M.cols + M.colIdx[n]] = M.values[n];
  }
  return out;
}

/**
 * Indices of the rows of M holding at least one entry, ascending.
 *
 * @example
 * ```ts
 * import { nonzeroRows, sparse } from "./sparse.ts";
 * nonzeroRows(sparse(3, 3, [[2, 0, 1]])); // Int32Array [2]
 * ```
 */
export function nonzeroRows(M: SparseMatrix): Int32Array {
  const rows: number[] = [];
  for (let r = 0; r < M.rows; r++) if (M.rowPtr[r + 1] > M.rowPtr[r]) rows.push(r);
  return Int32Array.from(rows);
}

/**
 * The rows `rows` of M, in that order, as a new matrix (`rows.length × cols`).
 *
 * @example
 * ```ts
 * import { selectRows, sparse } from "./sparse.ts";
 * selectRows(sparse(3, 2, [[2, 1, 4]]), Int32Array.from([2])).values; // Float64Array [4]
 * ```
 */
export function selectRows(M: SparseMatrix, rows: Int32Array): SparseMatrix {
  const b = new SparseBuilder(rows.length, M.cols);
  rows.forEach((r, k) => {
    for (let n = M.rowPtr[r]; n < M.rowPtr[r + 1]; n++) b.add(k, M.colIdx[n], M.values[n]);
  });
  return b.build();
}

/**
 * True when every entry of M sits in a column `c` with `allowed[c]` true (M only reads those
 * coordinates of its input).
 *
 * @example
 * ```ts
 * import { readsOnly, sparse } from "./sparse.ts";
 * readsOnly(sparse(1, 3, [[0, 2, 1]]), [false, false, true]); // true
 * ```
 */
export function readsOnly(M: SparseMatrix, allowed: ArrayLike<boolean>): boolean {
  for (let n = 0; n < M.colIdx.length; n++) if (!allowed[M.colIdx[n]]) return false;
  return true;
}

const keyCache = new WeakMap<SparseMatrix, string>();

/**
 * A string that identifies M's shape and entries exactly (two matrices with equal keys are
 * equal); `negated` gives the key of −M.
 *
 * @example
 * ```ts
 * import { sparse, sparseKey } from "./sparse.ts";
 * const a = sparse(1, 2, [[0, 1, 2]]), b = sparse(1, 2, [[0, 1, -2]]);
 * sparseKey(a) === sparseKey(b, true); // true
 * ```
 */
export function sparseKey(M: SparseMatrix, negated = false): string {
  if (!negated) {
    const hit = keyCache.get(M);
    if (hit !== undefined) return hit;
  }
  const parts = [`${M.rows}x${M.cols}`];
  for (let r = 0; r < M.rows; r++) {
    for (let n = M.rowPtr[r]; n < M.rowPtr[r + 1]; n++) {
      const v = negated ? -M.values[n] : M.values[n];
      parts.push(`${r},${M.colIdx[n]}:${v}`);
    }
  }
  const key = parts.join(";");
  if (!negated) keyCache.set(M, key);
  return key;
}

/**
 * The spectral norm ‖M‖₂ (largest singular value), by power iteration on MᵀM to relative change
 * ≤ 1e-12 (at most 2 000 iterations). Used for the paper's ‖θ‖ (its Eq. on the transformer norm).
 *
 * @example
 * ```ts
 * import { sparse, spectralNorm } from "./sparse.ts";
 * spectralNorm(sparse(2, 2, [[0, 0, 3], [1, 1, -4]])); // 4
 * ```
 */
export function spectralNorm(M: SparseMatrix): number {
  if (M.values.length === 0) return 0;
  let x = new Float64Array(M.cols).fill(1 / Math.sqrt(M.cols));
  // start from a vector with some weight on every column (deterministic)
  for (let c = 0; c < M.cols; c++) x[c] *= 1 + ((c * 7919) % 13) / 13;
  const y = new Float64Array(M.rows);
  let prev = 0;
  for (let it = 0; it < 2000; it++) {
    spmv(M, x, 0, y, 0);
    const z = new Float64Array(M.cols);
    for (let r = 0; r < M.rows; r++) {
      for (let n = M.rowPtr[r]; n < M.rowPtr[r + 1]; n++) z[M.colIdx[n]] += M.values[n] * y[r];
    }
    let nz = 0;
    for (let c = 0; c < M.cols; c++) nz += z[c] * z[c];
    nz = Math.sqrt(nz);
    if (nz === 0) return 0;
    const est = Math.sqrt(nz); // ‖MᵀM x‖ → σ_max² as x aligns
    for (let c = 0; c < M.cols; c++) z[c] /= nz;
    x = z;
    if (Math.abs(est - prev) <= 1e-12 * est) return est;
    prev = est;
  }
  return prev;
}
