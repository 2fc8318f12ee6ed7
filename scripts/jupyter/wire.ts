/**
 * The Jupyter messaging protocol (v5.3) on the wire: message shape, HMAC-SHA256 signatures
 * (WebCrypto, with the connection file's key) and ZeroMQ framing (routing prefixes, delimiter,
 * signature, header, parent header, metadata, content).
 *
 * @module
 */

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
 * import { hmacKey } from "./wire.ts";
 * const key = await hmacKey("4f2c9a"); // a CryptoKey
 * await hmacKey(""); // null: signing disabled
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
 * import { hmacKey, signFrames } from "./wire.ts";
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
 * import { encodeMessage, hmacKey } from "./wire.ts";
 * const header = {
 *   msg_id: "m1", session: "s", username: "u", date: "2026-01-01T00:00:00Z",
 *   msg_type: "kernel_info_request", version: "5.3",
 * };
 * const msg = { header, parent_header: {}, metadata: {}, content: {} };
 * const frames = await encodeMessage(await hmacKey("k"), msg);
 * frames[0]; // "<IDS|MSG>"
 * frames.length; // 6
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
 * import { decodeMessage, encodeMessage, hmacKey } from "./wire.ts";
 * const key = await hmacKey("k");
 * const header = {
 *   msg_id: "m1", session: "s", username: "u", date: "2026-01-01T00:00:00Z",
 *   msg_type: "execute_reply", version: "5.3",
 * };
 * const frames = await encodeMessage(key, { header, parent_header: {}, metadata: {}, content: {} });
 * const msg = await decodeMessage(key, frames.map((f) => new TextEncoder().encode(f)));
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
