// Tests of scripts/jupyter/routing.ts: messages applied to a pending cell in any order, checked
// against hand-written nbformat outputs.
import assert from "node:assert/strict";
import { pendingCell, routeIopub, routeReply } from "../../scripts/jupyter/routing.ts";
import type { JupyterMessage } from "../../scripts/jupyter/wire.ts";
import { describeExit } from "../../scripts/jupyter/process.ts";

function msg(msg_type: string, content: Record<string, unknown>): JupyterMessage {
  return {
    header: { msg_id: "x", session: "s", username: "u", date: "", msg_type, version: "5.3" },
    parent_header: { msg_id: "req" },
    metadata: {},
    content,
  };
}

Deno.test("routeIopub merges stream chunks of one stream and keeps streams apart", () => {
  const seen: string[] = [];
  const p = pendingCell({ onStream: (name, text) => seen.push(`${name}:${text}`) });
  routeIopub(p, msg("stream", { name: "stdout", text: "a" }));
  routeIopub(p, msg("stream", { name: "stdout", text: "b\nc" }));
  routeIopub(p, msg("stream", { name: "stderr", text: "e\n" }));
  assert.deepEqual(p.cell.outputs, [
    { output_type: "stream", name: "stdout", text: ["ab\n", "c"] },
    { output_type: "stream", name: "stderr", text: ["e\n"] },
  ]);
  assert.deepEqual(seen, ["stdout:a", "stdout:b\nc", "stderr:e\n"]);
  assert.equal(p.cell.iopubSeen, true);
});

Deno.test("update_display_data rewrites every output showing its display_id and reports its text", () => {
  const texts: string[] = [];
  const p = pendingCell({ onDisplayText: (t) => texts.push(t) });
  const shown = { data: { "text/plain": "1/3" }, metadata: {}, transient: { display_id: "bar" } };
  routeIopub(p, msg("display_data", shown));
  routeIopub(p, msg("display_data", { data: { "text/plain": "other" }, metadata: {} }));
  routeIopub(
    p,
    msg("update_display_data", { ...shown, data: { "text/plain": "3/3" }, metadata: { a: 1 } }),
  );
  assert.deepEqual(p.cell.outputs, [
    { output_type: "display_data", data: { "text/plain": ["3/3"] }, metadata: { a: 1 } },
    { output_type: "display_data", data: { "text/plain": ["other"] }, metadata: {} },
  ]);
  assert.deepEqual(texts, ["1/3", "other", "3/3"]);
});

Deno.test("clear_output clears at once, or with wait just before the next output", () => {
  const p = pendingCell();
  routeIopub(p, msg("stream", { name: "stdout", text: "a\n" }));
  routeIopub(p, msg("clear_output", { wait: true }));
  assert.equal(p.cell.outputs.length, 1);
  routeIopub(p, msg("stream", { name: "stdout", text: "b\n" }));
  assert.deepEqual(p.cell.outputs, [{ output_type: "stream", name: "stdout", text: ["b\n"] }]);
  routeIopub(p, msg("clear_output", {}));
  assert.deepEqual(p.cell.outputs, []);
});

Deno.test("an execute_result after idle still lands in the cell; idle and reply wake the waiter", () => {
  const p = pendingCell();
  let woken = 0;
  p.wake = () => woken++;
  routeIopub(p, msg("execute_input", { execution_count: 7 }));
  routeIopub(p, msg("status", { execution_state: "busy" }));
  routeIopub(p, msg("status", { execution_state: "idle" }));
  routeReply(p, msg("execute_reply", { status: "ok", execution_count: 7 }));
  routeIopub(p, msg("execute_result", { execution_count: 7, data: { "text/plain": "2" } }));
  assert.equal(woken, 2);
  assert.deepEqual([p.idle, p.reply, p.cell.executionCount], [true, true, 7]);
  assert.deepEqual(p.cell.outputs, [
    {
      output_type: "execute_result",
      execution_count: 7,
      data: { "text/plain": ["2"] },
      metadata: {},
    },
  ]);
});

Deno.test("errors: an error output or an error reply marks the cell; aborted replies too", () => {
  const p = pendingCell();
  routeIopub(p, msg("error", { ename: "TypeError", evalue: "boom", traceback: ["t"] }));
  routeReply(p, msg("execute_reply", { status: "error", ename: "Other", evalue: "x" }));
  assert.equal(p.cell.status, "error");
  assert.deepEqual(p.cell.error, { ename: "TypeError", evalue: "boom", traceback: ["t"] });
  const q = pendingCell();
  routeReply(q, msg("execute_reply", { status: "error", ename: "E", evalue: "v" }));
  assert.deepEqual(q.cell.error, { ename: "E", evalue: "v", traceback: [] });
  const r = pendingCell();
  routeReply(r, msg("execute_reply", { status: "aborted" }));
  routeReply(r, msg("kernel_info_reply", {}));
  assert.equal(r.cell.status, "aborted");
});

Deno.test("describeExit names the signal, else the exit code", () => {
  assert.equal(describeExit({ success: false, code: 3, signal: null }), "exit code 3");
  assert.equal(describeExit({ success: false, code: 137, signal: "SIGKILL" }), "signal SIGKILL");
});
