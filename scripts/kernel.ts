/**
 * A minimal Jupyter client for Deno's own kernel (`deno jupyter --kernel --conn FILE`), so that
 * notebooks execute headlessly with nothing but Deno installed.
 *
 * - Transport: the Jupyter messaging protocol (v5.3) over ZeroMQ, through `npm:zeromq` (its
 *   prebuilt native addon ships inside the package): `jupyter/wire.ts` (HMAC-SHA256 signed
 *   frames; replies with a bad signature are dropped) and `jupyter/channels.ts` (polled sockets).
 * - The kernel answers `kernel_info_request` on the shell channel without publishing an iopub
 *   `status`; readiness is the reply itself. The iopub subscription, however, may not be live yet
 *   (a ZeroMQ subscriber joins late and misses what was published before), so start-up then runs
 *   silent no-op cells until one of them is seen on iopub. A cell whose reply has arrived but whose
 *   `idle` never does is finished after a grace period instead of waiting forever.
 * - The kernel sometimes publishes `status: idle` *before* a cell's `execute_result`. Outputs
 *   are therefore routed to their cell by the parent `msg_id`, whenever they arrive
 *   (`jupyter/routing.ts`), and the client drains iopub for a short quiet period before it
 *   returns a finished notebook.
 * - The kernel runs in its own process group (`jupyter/process.ts`); {@linkcode Kernel.kill}
 *   signals the whole group. A watchdog run silently in the kernel ends the group when the
 *   kernel's parent process disappears (the client was SIGKILLed), so no kernel outlives its
 *   client for long.
 *
 * Notebook cells become nbformat 4.5 outputs (`jupyter/outputs.ts`): `stream` (consecutive chunks
 * merged), `display_data` (updated in place by `update_display_data` for the same `display_id`),
 * `execute_result` and `error`, with `execution_count`.
 *
 * @module
 */

import { type Channel, Channels } from "./jupyter/channels.ts";
import { describeExit, KernelError, KernelProcess, WATCHDOG } from "./jupyter/process.ts";
import {
  type CellHooks,
  type CellRun,
  type PendingCell,
  pendingCell,
  routeIopub,
  routeReply,
} from "./jupyter/routing.ts";
import { hmacKey, type JupyterMessage, type MessageHeader } from "./jupyter/wire.ts";

export { KernelError } from "./jupyter/process.ts";
export type { CellHooks, CellRun } from "./jupyter/routing.ts";

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

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * A running Deno kernel and the client connected to it.
 *
 * @example
 * ```ts
 * import { Kernel } from "./kernel.ts";
 * const k = await Kernel.start({ cwd: ".", env: Deno.env.toObject() });
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
  #process: KernelProcess;
  #channels: Channels;
  #session = crypto.randomUUID();
  #pending = new Map<string, PendingCell>();
  #replies = new Map<string, (m: JupyterMessage) => void>();
  #closed = false;
  #lastIopub = performance.now();
  #runtimeDir: string;
  #ownRuntimeDir: boolean;

  private constructor(
    process: KernelProcess,
    key: CryptoKey | null,
    ports: { shell_port: number; control_port: number; iopub_port: number },
    runtimeDir: string,
    ownRuntimeDir: boolean,
  ) {
    this.#process = process;
    this.#runtimeDir = runtimeDir;
    this.#ownRuntimeDir = ownRuntimeDir;
    this.#channels = new Channels(key, ports, (channel, msg) => this.#dispatch(channel, msg));
  }

  /** Process id of the kernel (also its process group id). */
  get pid(): number {
    return this.#process.pid;
  }

  /** Exit status once the kernel process has ended, else `null`. */
  get exitStatus(): Deno.CommandStatus | null {
    return this.#process.exitStatus;
  }

  /** The last 8 kB the kernel process printed (its own stdout/stderr, not cell output). */
  get log(): string {
    return this.#process.log;
  }

  /**
   * Spawn `deno jupyter --kernel --conn FILE` in its own process group and wait until it
   * answers `kernel_info_request`.
   *
   * @example
   * ```ts ignore
   * import { Kernel } from "./kernel.ts";
   * const k = await Kernel.start({ cwd: ".", env: { ...Deno.env.toObject(), NO_COLOR: "1" } });
   * k.languageInfo.name; // "typescript"
   * await k.shutdown();
   * ```
   */
  static async start(opts: KernelOptions): Promise<Kernel> {
    if (!opts || typeof opts.cwd !== "string" || opts.cwd === "") {
      throw new TypeError(`Kernel.start: cwd must be a directory path, got ${opts?.cwd}`);
    }
    const t0 = performance.now();
    const ownRuntimeDir = opts.runtimeDir === undefined;
    const runtimeDir = opts.runtimeDir ?? await Deno.makeTempDir({ prefix: "icrl-kernel-" });
    const { process, key, ports } = await KernelProcess.spawn({
      cwd: opts.cwd,
      env: opts.env,
      deno: opts.deno,
      runtimeDir,
    });
    const k = new Kernel(process, await hmacKey(key), ports, runtimeDir, ownRuntimeDir);
    opts.onSpawn?.(k);
    try {
      const timeout = opts.startupTimeoutMs ?? 120_000;
      const check = () => {
        const exit = k.exitStatus;
        if (exit !== null) {
          throw new KernelError(`the kernel exited during start-up (${describeExit(exit)})`);
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
    await this.#channels.send(channel, header, content);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<null>((r) => (timer = setTimeout(() => r(null), timeoutMs)));
    const dead = this.#process.exited.then(() => null);
    const got = await Promise.race([reply, timeout, dead]);
    clearTimeout(timer);
    this.#replies.delete(header.msg_id);
    return got;
  }

  #dispatch(channel: Channel, msg: JupyterMessage): void {
    const parentId = msg.parent_header?.msg_id;
    if (channel !== "iopub") {
      const r = parentId ? this.#replies.get(parentId) : undefined;
      if (r) r(msg);
      const p = parentId ? this.#pending.get(parentId) : undefined;
      if (p) routeReply(p, msg);
      return;
    }
    this.#lastIopub = performance.now();
    const p = parentId ? this.#pending.get(parentId) : undefined;
    if (p) routeIopub(p, msg);
  }

  /**
   * Execute `code`; resolves when the kernel has replied and published `idle` for it (or
   * `idleGraceMs`, default 2000, after the reply when no `idle` comes). Outputs that arrive later
   * are still appended to the returned `outputs` (see {@linkcode drain}).
   * Rejects with {@linkcode KernelError} when the kernel dies or `timeoutMs` passes.
   *
   * @example
   * ```ts ignore
   * import { Kernel } from "./kernel.ts";
   * const kernel = await Kernel.start({ cwd: ".", env: Deno.env.toObject() });
   * const run = await kernel.execute('console.log("hi")');
   * run.outputs; // [{ output_type: "stream", name: "stdout", text: ["hi\n"] }]
   * await kernel.shutdown();
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
    const p = pendingCell(hooks);
    const cell = p.cell;
    this.#pending.set(header.msg_id, p);
    await this.#channels.send("shell", header, {
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
      const s = this.exitStatus;
      if (s !== null) {
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
   * ```ts ignore
   * await kernel.execute("Deno.jupyter.display({ 'text/plain': 'late' }, { raw: true })");
   * await kernel.drain(); // outputs published after the cell's idle have arrived
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
   * ```ts ignore
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
   * ```ts ignore
   * Deno.addSignalListener("SIGINT", () => kernel.kill());
   * ```
   */
  kill(): void {
    this.#process.kill();
  }

  /**
   * Ask the kernel to shut down, then kill its process group; close the sockets and remove the
   * connection file.
   *
   * @example
   * ```ts ignore
   * await kernel.shutdown();
   * kernel.exitStatus !== null; // true
   * ```
   */
  async shutdown(): Promise<void> {
    if (!this.#closed && this.exitStatus === null) {
      await this.#request("shutdown_request", { restart: false }, 1000, "control").catch(() => {});
      const gone = await Promise.race([
        this.#process.exited.then(() => true),
        sleep(1000).then(() => false),
      ]);
      if (!gone) this.kill();
    } else this.kill();
    this.kill(); // children of an exited kernel, if any
    await this.#process.exited;
    this.#closed = true;
    await this.#channels.close();
    await this.#process.closed;
    if (this.#ownRuntimeDir) {
      await Deno.remove(this.#runtimeDir, { recursive: true }).catch(() => {});
    }
  }
}
