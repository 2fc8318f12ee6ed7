/**
 * nbformat 4 outputs from Jupyter iopub messages: text split into nbformat's line lists, JSON mime
 * types kept as objects.
 *
 * @module
 */

/**
 * Split a string into nbformat's list of lines (each but the last keeps its `\n`).
 *
 * @example
 * ```ts
 * import { splitLines } from "./outputs.ts";
 * splitLines("a\nb\n"); // ["a\n", "b\n"]
 * ```
 */
export function splitLines(s: string): string[] {
  if (typeof s !== "string") throw new TypeError(`splitLines: expected a string, got ${typeof s}`);
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\n") {
      out.push(s.slice(start, i + 1));
      start = i + 1;
    }
  }
  if (start < s.length) out.push(s.slice(start));
  return out;
}

function isJsonMime(mime: string): boolean {
  return mime === "application/json" || mime.endsWith("+json");
}

/**
 * A mime bundle as nbformat stores it: text split into lines, JSON kept as objects.
 *
 * @example
 * ```ts
 * import { nbData } from "./outputs.ts";
 * nbData({ "text/plain": "1\n2", "application/json": { a: 1 } });
 * // { "text/plain": ["1\n", "2"], "application/json": { a: 1 } }
 * ```
 */
export function nbData(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [mime, value] of Object.entries(data ?? {})) {
    out[mime] = typeof value === "string" && !isJsonMime(mime) ? splitLines(value) : value;
  }
  return out;
}

/** An nbformat 4 output object. */
export type NbOutput = Record<string, unknown> & { output_type: string };

/**
 * Turn an iopub message into an nbformat output (`null` for message types that are not outputs).
 *
 * @example
 * ```ts
 * import { toOutput } from "./outputs.ts";
 * toOutput("stream", { name: "stdout", text: "hi\n" });
 * // { output_type: "stream", name: "stdout", text: ["hi\n"] }
 * ```
 */
export function toOutput(msgType: string, content: Record<string, unknown>): NbOutput | null {
  switch (msgType) {
    case "stream":
      return {
        output_type: "stream",
        name: String(content.name ?? "stdout"),
        text: splitLines(String(content.text ?? "")),
      };
    case "display_data":
      return {
        output_type: "display_data",
        data: nbData(content.data as Record<string, unknown>),
        metadata: (content.metadata as Record<string, unknown>) ?? {},
      };
    case "execute_result":
      return {
        output_type: "execute_result",
        data: nbData(content.data as Record<string, unknown>),
        execution_count: typeof content.execution_count === "number"
          ? content.execution_count
          : null,
        metadata: (content.metadata as Record<string, unknown>) ?? {},
      };
    case "error":
      return {
        output_type: "error",
        ename: String(content.ename ?? "Error"),
        evalue: String(content.evalue ?? ""),
        traceback: Array.isArray(content.traceback) ? content.traceback.map(String) : [],
      };
    default:
      return null;
  }
}
