/**
 * A minimal Jupyter client for Deno's own kernel (`deno jupyter --kernel --conn FILE`), so that
 * notebooks execute headlessly with nothing but Deno installed.
 *
 * - Transport: the Jupyter messaging protocol (v5.3) over ZeroMQ, through `npm:zeromq` (its
 *   prebuilt native addon ships inside the package). Messages are signed with HMAC-SHA256
 *   (WebCrypto) using the key of the connection file; replies with a bad signature are dropped.
 * - Under Deno, awaiting `receive()` on an empty socket may never resolve, so sockets are
 *   **polled**: `receive()` is called only while `socket.readable` is true.
 * - The kernel answers `kernel_info_request` on the shell channel without publishing an iopub
 *   `status`; readiness is the reply itself. The iopub subscription, however, may not be live yet
 *   (a ZeroMQ subscriber joins late and misses what was published before), so start-up then runs
 *   silent no-op cells until one of them is seen on iopub. A cell whose reply has arrived but whose
 *   `idle` never does is finished after a grace period instead of waiting forever.
 * - The kernel sometimes publishes `status: idle` *before* a cell's `execute_result`. Outputs
 *   are therefore routed to their cell by the parent `msg_id`, whenever they arrive, and the
 *   client drains iopub for a short quiet period before it returns a finished notebook.
 * - The kernel runs in its own process group (`detached`); {@linkcode Kernel.kill} signals the
 *   whole group. A watchdog run silently in the kernel ends the group when the kernel's parent
 *   process disappears (the client was SIGKILLed), so no kernel outlives its client for long.
 *
 * Notebook cells become nbformat 4.5 outputs: `stream` (consecutive chunks merged),
 * `display_data` (updated in place by `update_display_data` for the same `display_id`),
 * `execute_result` and `error`, with `execution_count`.
 *
 * @module
 */

import * as zmq from "zeromq";

// ---------------------------------------------------------------------------------------------
// wire format

/** A Jupyter message header. */
export interface MessageHeader {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

/** A decoded Jupyter message. */
export interface JupyterMessage {
  header: MessageHeader;
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
}

const DELIMITER = "<IDS|MSG>";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Import an HMAC-SHA256 signing key (the connection file's `key`); `null` for an empty key
 * (signing disabled, signatures are empty strings).
 *
 * @example
 * ```ts
 * const key = await hmacKey("4f2c…");
 * ```
 */
export async function hmacKey(key: string): Promise<CryptoKey | null> {
  if (typeof key !== "string") throw new TypeError(`hmacKey: key must be a string, got ${key}`);
  if (key === "") return null;
  return await crypto.subtle.importKey(
    "raw",
    encoder.encode(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
}

/**
 * Hex HMAC-SHA256 of the concatenated frames (header, parent header, metadata, content), as the
 * Jupyter protocol specifies; `""` when `key` is null.
 *
 * @example
 * ```ts
 * const sig = await signFrames(await hmacKey("k"), ["{}", "{}", "{}", "{}"]);
 * sig.length; // 64
 * ```
 */
export async function signFrames(
  key: CryptoKey | null,
  frames: readonly (string | Uint8Array)[],
): Promise<string> {
  if (key === null) return "";
  const parts = frames.map((f) => (typeof f === "string" ? encoder.encode(f) : f));
  const total = parts.reduce((n, p) => n + p.length, 0);
  const buf = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    buf.set(p, at);
    at += p.length;
  }
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, buf));
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Encode a message into ZeroMQ frames: delimiter, signature, header, parent header, metadata,
 * content.
 *
 * @example
 * ```ts
 * const frames = await encodeMessage(key, msg);
 * await socket.send(frames);
 * ```
 */
export async function encodeMessage(key: CryptoKey | null, msg: JupyterMessage): Promise<string[]> {
  const parts = [
    JSON.stringify(msg.header),
    JSON.stringify(msg.parent_header),
    JSON.stringify(msg.metadata),
    JSON.stringify(msg.content),
  ];
  return [DELIMITER, await signFrames(key, parts), ...parts];
}

/** A frame list that is not a valid (or validly signed) Jupyter message. */
export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WireError";
  }
}

/**
 * Decode ZeroMQ frames (routing prefixes allowed before the delimiter) and check the signature.
 * Throws {@linkcode WireError} on a missing delimiter, bad JSON or a signature mismatch.
 *
 * @example
 * ```ts
 * const msg = await decodeMessage(key, await socket.receive());
 * msg.header.msg_type; // "execute_reply"
 * ```
 */
export async function decodeMessage(
  key: CryptoKey | null,
  frames: readonly Uint8Array[],
): Promise<JupyterMessage> {
  const texts = frames.map((f) => decoder.decode(f));
  const at = texts.indexOf(DELIMITER);
  if (at < 0 || texts.length < at + 6) {
    throw new WireError(`not a Jupyter message: ${texts.length} frames, no ${DELIMITER} delimiter`);
  }
  const [sig, header, parent, metadata, content] = texts.slice(at + 1, at + 6);
  if (key !== null) {
    const want = await signFrames(key, frames.slice(at + 2, at + 6));
    if (want !== sig) throw new WireError(`bad message signature ${JSON.stringify(sig)}`);
  }
  try {
    return {
      header: JSON.parse(header),
      parent_header: JSON.parse(parent),
      metadata: JSON.parse(metadata),
      content: JSON.parse(content),
    };
  } catch (e) {
    throw new WireError(`message frame is not JSON: ${(e as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// nbformat outputs

/**
 * Split a string into nbformat's list of lines (each but the last keeps its `\n`).
 *
 * @example
 * ```ts
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

/** A mime bundle as nbformat stores it: text split into lines, JSON kept as objects. */
function nbData(data: Record<string, unknown>): Record<string, unknown> {
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

// ---------------------------------------------------------------------------------------------
// the kernel process

/** Settings of {@linkcode Kernel.start}. */
export interface KernelOptions {
  /** Kernel working directory (Deno finds `deno.json` from here). */
  cwd: string;
  /** The kernel's complete environment. */
  env: Record<string, string>;
  /** Deno executable (default: the running one). */
  deno?: string;
  /** Directory for the connection file (default: a fresh temp dir, removed on shutdown). */
  runtimeDir?: string;
  /** Give up when the kernel has not answered `kernel_info` after this long (default 120 s). */
  startupTimeoutMs?: number;
  /**
   * Install the watchdog that ends the kernel's process group when its parent process goes away
   * (default true).
   */
  watchdog?: boolean;
  /** Called as soon as the kernel process exists (before it is ready), e.g. to kill it on SIGINT. */
  onSpawn?: (kernel: Kernel) => void;
}

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

/** The kernel died or stopped answering. */
export class KernelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KernelError";
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function describeExit(s: Deno.CommandStatus): string {
  return s.signal ? `signal ${s.signal}` : `exit code ${s.code}`;
}

/**
 * Five free TCP ports on 127.0.0.1, found by binding ZeroMQ sockets to port `*` (no Deno
 * network permission needed), then releasing them.
 */
async function freePorts(n: number): Promise<number[]> {
  const socks = Array.from({ length: n }, () => new zmq.Router({ linger: 0 }));
  try {
    const ports: number[] = [];
    for (const s of socks) {
      await s.bind("tcp://127.0.0.1:*");
      const m = /:(\d+)$/.exec(s.lastEndpoint ?? "");
      if (!m) throw new KernelError(`could not read a bound port from ${s.lastEndpoint}`);
      ports.push(Number(m[1]));
    }
    return ports;
  } finally {
    for (const s of socks) s.close();
  }
}

/** Silently run in the kernel: end its process group when the parent process is gone. */
const WATCHDOG = `{
  const parent = Deno.ppid;
  const id = setInterval(() => {
    if (Deno.ppid !== parent) {
      try { Deno.kill(-Deno.pid, "SIGKILL"); } catch { /* not a group leader */ }
      Deno.exit(70);
    }
  }, 200);
  Deno.unrefTimer(id);
}`;

interface Pending {
  cell: CellRun;
  hooks: CellHooks;
  idle: boolean;
  reply: boolean;
  /** performance.now() when the reply arrived. */
  replyAt: number;
  /** Wakes {@linkcode Kernel.execute} when the reply or `idle` arrives. */
  wake: (() => void) | null;
  /** display_id → outputs showing it */
  displays: Map<string, NbOutput[]>;
  clearOnNext: boolean;
}

/**
 * A running Deno kernel and the client connected to it.
 *
 * @example
 * ```ts
 * const k = await Kernel.start({ cwd: "notebooks", env: Deno.env.toObject() });
 * try {
 *   const run = await k.execute("1 + 1");
 *   run.outputs[0]; // { output_type: "execute_result", data: { "text/plain": ["2"] }, … }
 * } finally {
 *   await k.shutdown();
 * }
 * ```
 */
export class Kernel {
  /** The kernel's `language_info` from `kernel_info_reply`. */
  languageInfo: Record<string, unknown> = {};
  /** Seconds from spawn until `kernel_info_reply`. */
  startupSeconds = 0;
  #child: Deno.ChildProcess;
  #key: CryptoKey | null;
  #session = crypto.randomUUID();
  #shell: zmq.Dealer;
  #control: zmq.Dealer;
  #iopub: zmq.Subscriber;
  #pending = new Map<string, Pending>();
  #replies = new Map<string, (m: JupyterMessage) => void>();
  #closed = false;
  #exited: Promise<Deno.CommandStatus>;
  #exitStatus: Deno.CommandStatus | null = null;
  #stderrTail = "";
  #lastIopub = performance.now();
  #lastActivity = performance.now();
  #pump: Promise<void>;
  #runtimeDir: string;
  #ownRuntimeDir: boolean;

  private constructor(
    child: Deno.ChildProcess,
    key: CryptoKey | null,
    ports: Record<string, number>,
    runtimeDir: string,
    ownRuntimeDir: boolean,
  ) {
    this.#child = child;
    this.#key = key;
    this.#runtimeDir = runtimeDir;
    this.#ownRuntimeDir = ownRuntimeDir;
    this.#shell = new zmq.Dealer({ linger: 0 });
    this.#control = new zmq.Dealer({ linger: 0 });
    this.#iopub = new zmq.Subscriber({ linger: 0 });
    this.#shell.connect(`tcp://127.0.0.1:${ports.shell_port}`);
    this.#control.connect(`tcp://127.0.0.1:${ports.control_port}`);
    this.#iopub.connect(`tcp://127.0.0.1:${ports.iopub_port}`);
    this.#iopub.subscribe();
    this.#exited = child.status.then((s) => (this.#exitStatus = s));
    const stderr = (async () => {
      try {
        for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
          this.#stderrTail = (this.#stderrTail + chunk).slice(-8000);
        }
      } catch { /* closed */ }
    })();
    const stdout = (async () => {
      try {
        for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
          this.#stderrTail = (this.#stderrTail + chunk).slice(-8000);
        }
      } catch { /* closed */ }
    })();
    this.#pump = this.#poll().finally(() => Promise.all([stderr, stdout]).then(() => {}));
  }

  /** Process id of the kernel (also its process group id). */
  get pid(): number {
    return this.#child.pid;
  }

  /** Exit status once the kernel process has ended, else `null`. */
  get exitStatus(): Deno.CommandStatus | null {
    return this.#exitStatus;
  }

  /** The last 8 kB the kernel process printed (its own stdout/stderr, not cell output). */
  get log(): string {
    return this.#stderrTail;
  }

  /**
   * Spawn `deno jupyter --kernel --conn FILE` in its own process group and wait until it
   * answers `kernel_info_request`.
   *
   * @example
   * ```ts
   * const k = await Kernel.start({ cwd: "notebooks", env: { PATH: "/usr/bin", NO_COLOR: "1" } });
   * ```
   */
  static async start(opts: KernelOptions): Promise<Kernel> {
    if (!opts || typeof opts.cwd !== "string" || opts.cwd === "") {
      throw new TypeError(`Kernel.start: cwd must be a directory path, got ${opts?.cwd}`);
    }
    const t0 = performance.now();
    const ownRuntimeDir = opts.runtimeDir === undefined;
    const runtimeDir = opts.runtimeDir ?? await Deno.makeTempDir({ prefix: "icrl-kernel-" });
    const keyText = crypto.randomUUID();
    const [shell, iopub, stdin, control, hb] = await freePorts(5);
    const ports = {
      shell_port: shell,
      iopub_port: iopub,
      stdin_port: stdin,
      control_port: control,
      hb_port: hb,
    };
    const connFile = `${runtimeDir}/kernel-${crypto.randomUUID().slice(0, 8)}.json`;
    await Deno.writeTextFile(
      connFile,
      JSON.stringify({
        ...ports,
        ip: "127.0.0.1",
        transport: "tcp",
        signature_scheme: "hmac-sha256",
        key: keyText,
        kernel_name: "deno",
      }),
    );
    const child = new Deno.Command(opts.deno ?? Deno.execPath(), {
      args: ["jupyter", "--kernel", "--conn", connFile],
      cwd: opts.cwd,
      env: opts.env,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      detached: true,
    }).spawn();
    const k = new Kernel(child, await hmacKey(keyText), ports, runtimeDir, ownRuntimeDir);
    opts.onSpawn?.(k);
    try {
      const timeout = opts.startupTimeoutMs ?? 120_000;
      const check = () => {
        if (k.#exitStatus !== null) {
          throw new KernelError(
            `the kernel exited during start-up (${describeExit(k.#exitStatus)})`,
          );
        }
        if (performance.now() - t0 > timeout) {
          throw new KernelError(`the kernel did not answer within ${timeout / 1000} s\n${k.log}`);
        }
      };
      let info: JupyterMessage | null = null;
      // The kernel may not be listening yet: re-ask every second until it answers.
      while (info === null) {
        check();
        info = await k.#request("kernel_info_request", {}, 1000);
      }
      k.languageInfo = (info.content.language_info as Record<string, unknown>) ?? {};
      // Wait until the iopub subscription is live: a silent no-op seen on iopub.
      for (;;) {
        check();
        const probe = await k.execute("0", {}, { silent: true, idleGraceMs: 250 });
        if (probe.iopubSeen) break;
      }
      k.startupSeconds = (performance.now() - t0) / 1000;
      if (opts.watchdog ?? true) {
        const w = await k.execute(WATCHDOG, {}, { silent: true });
        if (w.status !== "ok") {
          throw new KernelError(`kernel watchdog failed: ${w.error?.ename}: ${w.error?.evalue}`);
        }
      }
      return k;
    } catch (e) {
      await k.shutdown();
      throw e;
    }
  }

  #header(msgType: string): MessageHeader {
    return {
      msg_id: crypto.randomUUID(),
      session: this.#session,
      username: "icrl",
      date: new Date().toISOString(),
      msg_type: msgType,
      version: "5.3",
    };
  }

  async #send(socket: zmq.Dealer, header: MessageHeader, content: Record<string, unknown>) {
    const frames = await encodeMessage(this.#key, {
      header,
      parent_header: {},
      metadata: {},
      content,
    });
    await socket.send(frames);
    this.#lastActivity = performance.now();
  }

  /** Send a shell/control request; resolve with its reply, or null after `timeoutMs`. */
  async #request(
    msgType: string,
    content: Record<string, unknown>,
    timeoutMs: number,
    channel: "shell" | "control" = "shell",
  ): Promise<JupyterMessage | null> {
    const header = this.#header(msgType);
    const reply = new Promise<JupyterMessage>((resolve) =>
      this.#replies.set(header.msg_id, resolve)
    );
    await this.#send(channel === "shell" ? this.#shell : this.#control, header, content);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<null>((r) => (timer = setTimeout(() => r(null), timeoutMs)));
    const dead = this.#exited.then(() => null);
    const got = await Promise.race([reply, timeout, dead]);
    clearTimeout(timer);
    this.#replies.delete(header.msg_id);
    return got;
  }

  async #receiveReady(socket: zmq.Socket & { receive(): Promise<Uint8Array[]> }) {
    let n = 0;
    while (!this.#closed && socket.readable) {
      const frames = await socket.receive();
      n++;
      let msg: JupyterMessage;
      try {
        msg = await decodeMessage(this.#key, frames);
      } catch {
        continue; // not ours or corrupt: ignore
      }
      this.#dispatch(socket === this.#iopub, msg);
    }
    return n;
  }

  async #poll(): Promise<void> {
    while (!this.#closed) {
      let got = 0;
      try {
        got += await this.#receiveReady(this.#shell);
        got += await this.#receiveReady(this.#control);
        got += await this.#receiveReady(this.#iopub);
      } catch (e) {
        if (this.#closed) return;
        throw e;
      }
      const now = performance.now();
      if (got > 0) this.#lastActivity = now;
      // Right after a request or a message, poll at once (replies follow within milliseconds);
      // then every 1 ms, backing off to 10 ms while a long cell runs quietly.
      const quiet = now - this.#lastActivity;
      await sleep(quiet < 20 ? 0 : quiet < 200 ? 1 : 10);
    }
  }

  #dispatch(isIopub: boolean, msg: JupyterMessage): void {
    const parentId = msg.parent_header?.msg_id;
    if (!isIopub) {
      const r = parentId ? this.#replies.get(parentId) : undefined;
      if (r) r(msg);
      const p = parentId ? this.#pending.get(parentId) : undefined;
      if (p && msg.header.msg_type === "execute_reply") {
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
      return;
    }
    this.#lastIopub = performance.now();
    const p = parentId ? this.#pending.get(parentId) : undefined;
    if (!p) return;
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
      this.#displayText(p, c);
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
      this.#displayText(p, c);
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

  #displayText(p: Pending, c: Record<string, unknown>): void {
    const text = (c.data as Record<string, unknown> | undefined)?.["text/plain"];
    if (typeof text === "string" && p.hooks.onDisplayText) p.hooks.onDisplayText(text);
  }

  /**
   * Execute `code`; resolves when the kernel has replied and published `idle` for it (or
   * `idleGraceMs`, default 2000, after the reply when no `idle` comes). Outputs that arrive later
   * are still appended to the returned `outputs` (see {@linkcode drain}).
   * Rejects with {@linkcode KernelError} when the kernel dies or `timeoutMs` passes.
   *
   * @example
   * ```ts
   * const run = await kernel.execute('console.log("hi")');
   * run.outputs; // [{ output_type: "stream", name: "stdout", text: ["hi\n"] }]
   * ```
   */
  async execute(
    code: string,
    hooks: CellHooks = {},
    opts: { silent?: boolean; timeoutMs?: number; idleGraceMs?: number } = {},
  ): Promise<CellRun> {
    if (typeof code !== "string") throw new TypeError(`execute: code must be a string`);
    if (this.#closed) throw new KernelError("the kernel client is closed");
    const t0 = performance.now();
    const header = this.#header("execute_request");
    const cell: CellRun = {
      status: "ok",
      executionCount: null,
      outputs: [],
      seconds: 0,
      iopubSeen: false,
    };
    const p: Pending = {
      cell,
      hooks,
      idle: false,
      reply: false,
      replyAt: 0,
      wake: null,
      displays: new Map(),
      clearOnNext: false,
    };
    this.#pending.set(header.msg_id, p);
    await this.#send(this.#shell, header, {
      code,
      silent: opts.silent ?? false,
      store_history: !(opts.silent ?? false),
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: true,
    });
    const deadline = opts.timeoutMs === undefined ? Infinity : t0 + opts.timeoutMs;
    const grace = opts.idleGraceMs ?? 2000;
    while (!(p.idle && p.reply) && !(p.reply && performance.now() - p.replyAt > grace)) {
      if (this.#exitStatus !== null) {
        const s = this.#exitStatus;
        throw new KernelError(
          `the kernel died (${describeExit(s)})` +
            (this.log.trim() ? `:\n${this.log.trim().split("\n").slice(-10).join("\n")}` : ""),
        );
      }
      if (performance.now() > deadline) {
        throw new KernelError(`cell timed out after ${(opts.timeoutMs! / 1000).toFixed(0)} s`);
      }
      // woken by the reply or idle; a 50 ms tick re-checks death, timeout and the idle grace
      await new Promise<void>((resolve) => {
        const tick = setTimeout(done, 50);
        function done() {
          clearTimeout(tick);
          p.wake = null;
          resolve();
        }
        p.wake = done;
      });
    }
    cell.seconds = (performance.now() - t0) / 1000;
    return cell;
  }

  /**
   * Wait until iopub has been quiet for `quietMs` (at most `maxMs`): late outputs (an
   * `execute_result` published after `idle`) reach their cells.
   *
   * @example
   * ```ts
   * await kernel.drain();
   * ```
   */
  async drain(quietMs = 50, maxMs = 1000): Promise<void> {
    const t0 = performance.now();
    while (performance.now() - this.#lastIopub < quietMs && performance.now() - t0 < maxMs) {
      await sleep(5);
    }
  }

  /**
   * Forget the output routing of finished cells (call after {@linkcode drain}): later messages
   * for them are ignored.
   *
   * @example
   * ```ts
   * await kernel.drain();
   * kernel.forget();
   * ```
   */
  forget(): void {
    this.#pending.clear();
  }

  /**
   * Kill the kernel's whole process group (SIGKILL). Synchronous, safe to call twice.
   *
   * @example
   * ```ts
   * addEventListener("unload", () => kernel.kill());
   * ```
   */
  kill(): void {
    try {
      Deno.kill(-this.#child.pid, "SIGKILL");
    } catch {
      if (this.#exitStatus !== null) return;
      try {
        this.#child.kill("SIGKILL");
      } catch { /* already gone */ }
    }
  }

  /**
   * Ask the kernel to shut down, then kill its process group; close the sockets and remove the
   * connection file.
   *
   * @example
   * ```ts
   * await kernel.shutdown();
   * ```
   */
  async shutdown(): Promise<void> {
    if (!this.#closed && this.#exitStatus === null) {
      await this.#request("shutdown_request", { restart: false }, 1000, "control").catch(() => {});
      const gone = await Promise.race([
        this.#exited.then(() => true),
        sleep(1000).then(() => false),
      ]);
      if (!gone) this.kill();
    } else this.kill();
    this.kill(); // children of an exited kernel, if any
    await this.#exited;
    this.#closed = true;
    await this.#pump.catch(() => {});
    this.#shell.close();
    this.#control.close();
    this.#iopub.close();
    if (this.#ownRuntimeDir) {
      await Deno.remove(this.#runtimeDir, { recursive: true }).catch(() => {});
    }
  }
}
