/**
 * Routing a cell's messages to its result. Every message whose parent is an `execute_request`
 * goes to that request's {@linkcode PendingCell}, whenever it arrives: the kernel sometimes
 * publishes `status: idle` *before* a cell's `execute_result`, so outputs are matched by parent
 * `msg_id`, not by arrival order. Stream chunks merge, `update_display_data` rewrites the outputs
 * showing its `display_id`, `clear_output` (with `wait`) clears before the next output.
 *
 * @module
 */

import { nbData, type NbOutput, splitLines, toOutput } from "./outputs.ts";
import type { JupyterMessage } from "./wire.ts";

/** What an executed cell produced. */
export interface CellRun {
  /** `ok`, `error` (the cell raised) or `aborted`. */
  status: "ok" | "error" | "aborted";
  /** The kernel's `execution_count` for the cell. */
  executionCount: number | null;
  /** nbformat outputs, in arrival order (late outputs appended until the notebook drains). */
  outputs: NbOutput[];
  /** Wall seconds from request to `idle` + reply. */
  seconds: number;
  /** The error output, if the cell raised. */
  error?: { ename: string; evalue: string; traceback: string[] };
  /** Whether any iopub message for this request arrived (false: iopub not connected yet). */
  iopubSeen: boolean;
}

/** Callbacks while a cell runs. */
export interface CellHooks {
  /** A display was created or updated: its `text/plain` (progress bars use this). */
  onDisplayText?: (text: string) => void;
  /** A stream chunk arrived. */
  onStream?: (name: string, text: string) => void;
}

/** An `execute_request` in flight (or finished but still collecting late outputs). */
export interface PendingCell {
  cell: CellRun;
  hooks: CellHooks;
  /** `status: idle` arrived on iopub. */
  idle: boolean;
  /** `execute_reply` arrived on shell. */
  reply: boolean;
  /** performance.now() when the reply arrived. */
  replyAt: number;
  /** Wakes whoever waits for the cell when the reply or `idle` arrives. */
  wake: (() => void) | null;
  /** display_id → outputs showing it */
  displays: Map<string, NbOutput[]>;
  /** A `clear_output` with `wait`: clear when the next output comes. */
  clearOnNext: boolean;
}

/**
 * A fresh pending cell: status `ok`, no outputs, nothing received yet.
 *
 * @example
 * ```ts
 * import { pendingCell } from "./routing.ts";
 * const p = pendingCell();
 * p.cell.status; // "ok"
 * ```
 */
export function pendingCell(hooks: CellHooks = {}): PendingCell {
  return {
    cell: { status: "ok", executionCount: null, outputs: [], seconds: 0, iopubSeen: false },
    hooks,
    idle: false,
    reply: false,
    replyAt: 0,
    wake: null,
    displays: new Map(),
    clearOnNext: false,
  };
}

/**
 * Apply a shell-channel message to its cell: an `execute_reply` sets the execution count and an
 * error or abort status, and wakes the waiter. Other replies are ignored.
 *
 * @example
 * ```ts
 * import { pendingCell, routeReply } from "./routing.ts";
 * const p = pendingCell();
 * const header = {
 *   msg_id: "r", session: "s", username: "u", date: "", msg_type: "execute_reply", version: "5.3",
 * };
 * routeReply(p, {
 *   header, parent_header: {}, metadata: {}, content: { status: "ok", execution_count: 4 },
 * });
 * [p.reply, p.cell.executionCount]; // [true, 4]
 * ```
 */
export function routeReply(p: PendingCell, msg: JupyterMessage): void {
  if (msg.header.msg_type !== "execute_reply") return;
  p.reply = true;
  p.replyAt = performance.now();
  p.wake?.();
  const c = msg.content;
  if (typeof c.execution_count === "number") p.cell.executionCount = c.execution_count;
  if (c.status === "error" && p.cell.status === "ok") {
    p.cell.status = "error";
    p.cell.error ??= {
      ename: String(c.ename ?? "Error"),
      evalue: String(c.evalue ?? ""),
      traceback: Array.isArray(c.traceback) ? c.traceback.map(String) : [],
    };
  } else if (c.status === "aborted") p.cell.status = "aborted";
}

function displayText(p: PendingCell, c: Record<string, unknown>): void {
  const text = (c.data as Record<string, unknown> | undefined)?.["text/plain"];
  if (typeof text === "string" && p.hooks.onDisplayText) p.hooks.onDisplayText(text);
}

/**
 * Apply an iopub message to its cell: `status`, `execute_input`, `clear_output`,
 * `update_display_data` and the outputs (`stream`, `display_data`, `execute_result`, `error`).
 *
 * @example
 * ```ts
 * import { pendingCell, routeIopub } from "./routing.ts";
 * const p = pendingCell();
 * const msg = (msg_type: string, content: Record<string, unknown>) => ({
 *   header: { msg_id: "", session: "s", username: "u", date: "", msg_type, version: "5.3" },
 *   parent_header: {}, metadata: {}, content,
 * });
 * routeIopub(p, msg("stream", { name: "stdout", text: "a" }));
 * routeIopub(p, msg("stream", { name: "stdout", text: "b\n" }));
 * p.cell.outputs; // [{ output_type: "stream", name: "stdout", text: ["ab\n"] }]
 * ```
 */
export function routeIopub(p: PendingCell, msg: JupyterMessage): void {
  p.cell.iopubSeen = true;
  const type = msg.header.msg_type;
  const c = msg.content;
  if (type === "status") {
    if (c.execution_state === "idle") {
      p.idle = true;
      p.wake?.();
    }
    return;
  }
  if (type === "execute_input") {
    if (typeof c.execution_count === "number") p.cell.executionCount = c.execution_count;
    return;
  }
  if (type === "clear_output") {
    if (c.wait) p.clearOnNext = true;
    else p.cell.outputs.length = 0;
    return;
  }
  if (type === "update_display_data") {
    const id = (c.transient as { display_id?: string } | undefined)?.display_id;
    const targets = id ? p.displays.get(id) : undefined;
    for (const o of targets ?? []) {
      o.data = nbData(c.data as Record<string, unknown>);
      o.metadata = (c.metadata as Record<string, unknown>) ?? {};
    }
    displayText(p, c);
    return;
  }
  const out = toOutput(type, c);
  if (!out) return;
  if (p.clearOnNext) {
    p.cell.outputs.length = 0;
    p.clearOnNext = false;
  }
  if (type === "stream") {
    p.hooks.onStream?.(String(c.name), String(c.text ?? ""));
    const prev = p.cell.outputs.at(-1);
    if (prev && prev.output_type === "stream" && prev.name === out.name) {
      const joined = (prev.text as string[]).join("") + (out.text as string[]).join("");
      prev.text = splitLines(joined);
      return;
    }
  }
  if (type === "display_data") {
    const id = (c.transient as { display_id?: string } | undefined)?.display_id;
    if (id) {
      const list = p.displays.get(id) ?? [];
      list.push(out);
      p.displays.set(id, list);
    }
    displayText(p, c);
  }
  if (type === "error") {
    p.cell.status = "error";
    p.cell.error = {
      ename: out.ename as string,
      evalue: out.evalue as string,
      traceback: out.traceback as string[],
    };
  }
  p.cell.outputs.push(out);
}
