/**
 * The client's ZeroMQ sockets to a kernel: shell and control (DEALER) for requests and replies,
 * iopub (SUB) for everything the kernel publishes. Under Deno, awaiting `receive()` on an empty
 * socket may never resolve, so the sockets are **polled**: `receive()` is called only while
 * `socket.readable` is true, at once after any traffic and backing off while a cell runs quietly.
 *
 * @module
 */

import * as zmq from "zeromq";
import { decodeMessage, encodeMessage, type JupyterMessage, type MessageHeader } from "./wire.ts";

/** The channels a client uses. */
export type Channel = "shell" | "control" | "iopub";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Connected shell, control and iopub sockets, polled until {@linkcode Channels.close}; every
 * validly signed message is handed to `onMessage` with the channel it came on (others are
 * dropped).
 *
 * @example
 * ```ts
 * import { Channels } from "./channels.ts";
 * const ch = new Channels(null, { shell_port: 1, control_port: 2, iopub_port: 3 }, () => {});
 * await ch.close();
 * ```
 */
export class Channels {
  /** Settles when polling stops (rejects if receiving failed while open). */
  readonly pump: Promise<void>;
  #key: CryptoKey | null;
  #shell: zmq.Dealer;
  #control: zmq.Dealer;
  #iopub: zmq.Subscriber;
  #onMessage: (channel: Channel, msg: JupyterMessage) => void;
  #closed = false;
  #lastActivity = performance.now();

  constructor(
    key: CryptoKey | null,
    ports: { shell_port: number; control_port: number; iopub_port: number },
    onMessage: (channel: Channel, msg: JupyterMessage) => void,
  ) {
    this.#key = key;
    this.#onMessage = onMessage;
    this.#shell = new zmq.Dealer({ linger: 0 });
    this.#control = new zmq.Dealer({ linger: 0 });
    this.#iopub = new zmq.Subscriber({ linger: 0 });
    this.#shell.connect(`tcp://127.0.0.1:${ports.shell_port}`);
    this.#control.connect(`tcp://127.0.0.1:${ports.control_port}`);
    this.#iopub.connect(`tcp://127.0.0.1:${ports.iopub_port}`);
    this.#iopub.subscribe();
    this.pump = this.#poll();
  }

  /**
   * Send a request with `header` and `content` (empty parent header and metadata) on the shell
   * or control channel.
   *
   * @example
   * ```ts ignore
   * await channels.send("shell", header, { code: "1 + 1" });
   * ```
   */
  async send(
    channel: "shell" | "control",
    header: MessageHeader,
    content: Record<string, unknown>,
  ): Promise<void> {
    const frames = await encodeMessage(this.#key, {
      header,
      parent_header: {},
      metadata: {},
      content,
    });
    await (channel === "shell" ? this.#shell : this.#control).send(frames);
    this.#lastActivity = performance.now();
  }

  async #receiveReady(channel: Channel, socket: zmq.Dealer | zmq.Subscriber): Promise<number> {
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
      this.#onMessage(channel, msg);
    }
    return n;
  }

  async #poll(): Promise<void> {
    while (!this.#closed) {
      let got = 0;
      try {
        got += await this.#receiveReady("shell", this.#shell);
        got += await this.#receiveReady("control", this.#control);
        got += await this.#receiveReady("iopub", this.#iopub);
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

  /**
   * Stop polling, wait for the poll loop to end, close the sockets. Safe to call twice.
   *
   * @example
   * ```ts ignore
   * await channels.close();
   * ```
   */
  async close(): Promise<void> {
    this.#closed = true;
    await this.pump.catch(() => {});
    this.#shell.close();
    this.#control.close();
    this.#iopub.close();
  }
}
