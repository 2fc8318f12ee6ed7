/**
 * What every chart kind shares: the frame options (rows, title, subtitle, size), the spec header
 * built from them (`$schema`, title, theme `config`), and the input checks, whose errors name the
 * builder, the option and the bad value (`lineChart: rows[3].J must be a finite number, got NaN`).
 *
 * @module
 */

import { showValue } from "../core/validate.ts";
import type { Row } from "./rows.ts";
import { type Spec, THEME, themeConfig, VEGA_LITE_SCHEMA } from "./theme.ts";

/** Options every chart builder takes. */
export interface FrameOptions {
  /** Tidy rows (see the builder for what one row is). */
  rows: readonly Row[];
  /** Chart title. */
  title: string;
  /** Optional subtitle line. */
  subtitle?: string;
  /** Plot width in px (default 480; heatmaps size themselves from `cellSize`). */
  width?: number;
  /** Plot height in px (default 300). */
  height?: number;
}

/**
 * Check the frame options of builder `fn` (options object, rows, title, size).
 *
 * @example
 * ```ts
 * import { checkFrame } from "./frame.ts";
 * checkFrame("myChart", { rows: [{ x: 1 }], title: "T" });
 * ```
 */
export function checkFrame(fn: string, opts: FrameOptions): void {
  if (opts === null || typeof opts !== "object") throw new TypeError(`${fn}: options missing`);
  checkRows(fn, opts.rows);
  checkText(fn, "title", opts.title);
  if (opts.subtitle !== undefined) checkText(fn, "subtitle", opts.subtitle);
  checkSize(fn, "width", opts.width);
  checkSize(fn, "height", opts.height);
}

/**
 * Spec header of a chart: `$schema`, title (with subtitle) and the theme `config`.
 *
 * @example
 * ```ts
 * import { frameSpec } from "./frame.ts";
 * const spec = { ...frameSpec({ title: "Loss", subtitle: "4 seeds" }), mark: "line" };
 * ```
 */
export function frameSpec(opts: Pick<FrameOptions, "title" | "subtitle">): Spec {
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: opts.subtitle ? { text: opts.title, subtitle: opts.subtitle } : opts.title,
    config: themeConfig(),
  };
}

/**
 * Plot size of a chart: the given `width` / `height` or the theme's.
 *
 * @example
 * ```ts
 * import { frameSize } from "./frame.ts";
 * frameSize({ rows: [], title: "", width: 200 }); // { width: 200, height: 300 }
 * ```
 */
export function frameSize(opts: FrameOptions): { width: number; height: number } {
  return { width: opts.width ?? THEME.width, height: opts.height ?? THEME.height };
}

/**
 * `rows` must be a non-empty array of objects.
 *
 * @example
 * ```ts
 * import { checkRows } from "./frame.ts";
 * checkRows("myChart", [{ x: 1 }]);
 * ```
 */
export function checkRows(fn: string, rows: unknown): asserts rows is readonly Row[] {
  if (!Array.isArray(rows)) {
    throw new TypeError(`${fn}: rows must be an array of objects, got ${typeof rows}`);
  }
  if (rows.length === 0) throw new RangeError(`${fn}: rows is empty`);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r === null || typeof r !== "object" || Array.isArray(r)) {
      throw new TypeError(`${fn}: rows[${i}] must be an object, got ${showValue(r)}`);
    }
  }
}

/**
 * `field` (option `role`) must be a non-empty field name.
 *
 * @example
 * ```ts
 * import { checkField } from "./frame.ts";
 * checkField("myChart", "x", "step");
 * ```
 */
export function checkField(fn: string, role: string, field: unknown): asserts field is string {
  if (typeof field !== "string" || field === "") {
    throw new TypeError(
      `${fn}: ${role} must be a non-empty field name, got ${showValue(field)}`,
    );
  }
}

/**
 * `text` (option `role`) must be a string.
 *
 * @example
 * ```ts
 * import { checkText } from "./frame.ts";
 * checkText("myChart", "title", "Loss");
 * ```
 */
export function checkText(fn: string, role: string, text: unknown): asserts text is string {
  if (typeof text !== "string") {
    throw new TypeError(`${fn}: ${role} must be a string, got ${showValue(text)}`);
  }
}

/**
 * Every row must hold a finite number in `field` (and a positive one when `positive`: log axes).
 *
 * @example
 * ```ts
 * import { checkNumericField } from "./frame.ts";
 * checkNumericField("myChart", [{ loss: 0.5 }], "loss", true);
 * ```
 */
export function checkNumericField(
  fn: string,
  rows: readonly Row[],
  field: string,
  positive: boolean,
): void {
  for (let i = 0; i < rows.length; i++) {
    const v = rows[i][field];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new RangeError(
        `${fn}: rows[${i}].${field} must be a finite number, got ${showValue(v)}` +
          (v === undefined ? ` (field "${field}" missing)` : ""),
      );
    }
    if (positive && v <= 0) {
      throw new RangeError(
        `${fn}: rows[${i}].${field} = ${v} is not positive, but the axis is logarithmic ` +
          `(clip it to a small positive floor or use a linear axis)`,
      );
    }
  }
}

/**
 * Every row must hold a category (a string or a finite number) in `field`.
 *
 * @example
 * ```ts
 * import { checkCategoryField } from "./frame.ts";
 * checkCategoryField("myChart", [{ method: "SARSA" }], "method");
 * ```
 */
export function checkCategoryField(fn: string, rows: readonly Row[], field: string): void {
  for (let i = 0; i < rows.length; i++) {
    const v = rows[i][field];
    if (typeof v !== "string" && !(typeof v === "number" && Number.isFinite(v))) {
      throw new RangeError(
        `${fn}: rows[${i}].${field} must be a string or finite number, got ${showValue(v)}`,
      );
    }
  }
}

/**
 * `v` (option `role`), when given, must be a positive number.
 *
 * @example
 * ```ts
 * import { checkSize } from "./frame.ts";
 * checkSize("myChart", "width", 480);
 * ```
 */
export function checkSize(fn: string, role: string, v: unknown): void {
  if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v) || v <= 0)) {
    throw new RangeError(`${fn}: ${role} must be a positive number, got ${showValue(v)}`);
  }
}

/**
 * `d` (option `role`), when given, must be `[lo, hi]` with lo < hi (and lo > 0 on a log axis).
 *
 * @example
 * ```ts
 * import { checkDomain } from "./frame.ts";
 * checkDomain("myChart", "yDomain", [0, 1], false);
 * ```
 */
export function checkDomain(fn: string, role: string, d: unknown, positive: boolean): void {
  if (d === undefined) return;
  if (
    !Array.isArray(d) || d.length !== 2 || !d.every((v) => typeof v === "number" && isFinite(v)) ||
    d[0] >= d[1] || (positive && d[0] <= 0)
  ) {
    throw new RangeError(
      `${fn}: ${role} must be [lo, hi] with lo < hi${positive ? " and lo > 0 (log axis)" : ""}, ` +
        `got ${showValue(d)}`,
    );
  }
}

/**
 * `order` (option `role`), when given, must be an array of category values.
 *
 * @example
 * ```ts
 * import { checkOrder } from "./frame.ts";
 * checkOrder("myChart", "colorOrder", ["trained", "teacher"]);
 * ```
 */
export function checkOrder(fn: string, role: string, order: unknown): void {
  if (order === undefined) return;
  if (
    !Array.isArray(order) || !order.every((v) => typeof v === "string" || typeof v === "number")
  ) {
    throw new TypeError(
      `${fn}: ${role} must be an array of category values, got ${showValue(order)}`,
    );
  }
}

/**
 * `lower` and `upper` (band or error-bar fields) go together; when given, both must be numeric.
 *
 * @example
 * ```ts
 * import { checkInterval } from "./frame.ts";
 * checkInterval("myChart", [{ lo: 0, hi: 1 }], "lo", "hi", false);
 * ```
 */
export function checkInterval(
  fn: string,
  rows: readonly Row[],
  lower: unknown,
  upper: unknown,
  positive: boolean,
): void {
  if ((lower === undefined) !== (upper === undefined)) {
    throw new TypeError(
      `${fn}: lower and upper go together, got lower=${showValue(lower)}, upper=${
        showValue(upper)
      }`,
    );
  }
  if (lower === undefined) return;
  checkField(fn, "lower", lower);
  checkField(fn, "upper", upper);
  checkNumericField(fn, rows, lower, positive);
  checkNumericField(fn, rows, upper as string, positive);
}
