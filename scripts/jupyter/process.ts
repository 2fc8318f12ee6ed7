/**
 * The kernel process: `deno jupyter --kernel --conn FILE` spawned in its own process group
 * (`detached`) with a fresh connection file on free ports, its exit status, the tail of what it
 * prints, and killing the whole group. A watchdog, run silently in the kernel, ends the group
 * when the kernel's parent process disappears (the client was SIGKILLed), so no kernel outlives
 * its client for long.
 *
 * @module
 */

import * as zmq from "zeromq";

/** The kernel died or stopped answering. */
export class KernelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KernelError";
  }
}

/**
 * How a process ended, for messages: `exit code N` or `signal SIG…`.
 *
 * @example
 * ```ts
 * import { describeExit } from "./process.ts";
 * describeExit({ success: false, code: 137, signal: "SIGKILL" }); // "signal SIGKILL"
 * ```
 */
export function describeExit(s: Deno.CommandStatus): string {
  return s.signal ? `signal ${s.signal}` : `exit code ${s.code}`;
}

/**
 * `n` free TCP ports on 127.0.0.1, found by binding ZeroMQ sockets to port `*` (no Deno network
 * permission needed), then releasing them.
 *
 * @example
 * ```ts
 * import { freePorts } from "./process.ts";
 * const [shell, iopub] = await freePorts(2);
 * ```
 */
export async function freePorts(n: number): Promise<number[]> {
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

/** Code run silently in the kernel: end its process group when the parent process is gone. */
export const WATCHDOG = `{
  const parent = Deno.ppid;
  const id = setInterval(() => {
    if (Deno.ppid !== parent) {
      try { Deno.kill(-Deno.pid, "SIGKILL"); } catch { /* not a group leader */ }
      Deno.exit(70);
    }
  }, 200);
  Deno.unrefTimer(id);
}`;

/** The ports of a connection file. */
export interface KernelPorts {
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
}

/** Settings of {@linkcode KernelProcess.spawn}. */
export interface SpawnOptions {
  /** Kernel working directory (Deno finds `deno.json` from here). */
  cwd: string;
  /** The kernel's complete environment. */
  env: Record<string, string>;
  /** Deno executable (default: the running one). */
  deno?: string;
  /** Directory for the connection file. */
  runtimeDir: string;
}

/**
 * A spawned kernel process (see {@linkcode KernelProcess.spawn}).
 *
 * @example
 * ```ts ignore
 * const { process } = await KernelProcess.spawn({ cwd: ".", env: Deno.env.toObject(), runtimeDir });
 * process.kill();
 * (await process.exited).signal; // "SIGKILL"
 * ```
 */
export class KernelProcess {
  /** Resolves with the exit status when the process has ended. */
  readonly exited: Promise<Deno.CommandStatus>;
  /** Resolves when the process's stdout and stderr are closed. */
  readonly closed: Promise<void>;
  #child: Deno.ChildProcess;
  #status: Deno.CommandStatus | null = null;
  #tail = "";

  private constructor(child: Deno.ChildProcess) {
    this.#child = child;
    this.exited = child.status.then((s) => (this.#status = s));
    const read = async (stream: ReadableStream<Uint8Array>) => {
      try {
        for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
          this.#tail = (this.#tail + chunk).slice(-8000);
        }
      } catch { /* closed */ }
    };
    this.closed = Promise.all([read(child.stderr), read(child.stdout)]).then(() => {});
  }

  /**
   * Write a connection file (HMAC-SHA256 with a random key, five free ports) into `runtimeDir`
   * and spawn `deno jupyter --kernel --conn FILE` with exactly `env`, in its own process group.
   *
   * @example
   * ```ts
   * import { KernelProcess } from "./process.ts";
   * const runtimeDir = await Deno.makeTempDir();
   * const { process, key, ports } = await KernelProcess.spawn({
   *   cwd: ".", env: Deno.env.toObject(), runtimeDir,
   * });
   * process.kill();
   * await process.exited;
   * await Deno.remove(runtimeDir, { recursive: true });
   * ```
   */
  static async spawn(
    opts: SpawnOptions,
  ): Promise<{ process: KernelProcess; key: string; ports: KernelPorts }> {
    const key = crypto.randomUUID();
    const [shell, iopub, stdin, control, hb] = await freePorts(5);
    const ports = {
      shell_port: shell,
      iopub_port: iopub,
      stdin_port: stdin,
      control_port: control,
      hb_port: hb,
    };
    const connFile = `${opts.runtimeDir}/kernel-${crypto.randomUUID().slice(0, 8)}.json`;
    await Deno.writeTextFile(
      connFile,
      JSON.stringify({
        ...ports,
        ip: "127.0.0.1",
        transport: "tcp",
        signature_scheme: "hmac-sha256",
        key,
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
    return { process: new KernelProcess(child), key, ports };
  }

  /** Process id of the kernel (also its process group id). */
  get pid(): number {
    return this.#child.pid;
  }

  /** Exit status once the kernel process has ended, else `null`. */
  get exitStatus(): Deno.CommandStatus | null {
    return this.#status;
  }

  /** The last 8 kB the kernel process printed (its own stdout/stderr, not cell output). */
  get log(): string {
    return this.#tail;
  }

  /** Kill the process group (SIGKILL); synchronous, safe to call twice. */
  kill(): void {
    try {
      Deno.kill(-this.#child.pid, "SIGKILL");
    } catch {
      if (this.#status !== null) return;
      try {
        this.#child.kill("SIGKILL");
      } catch { /* already gone */ }
    }
  }
}
