/**
 * Build the WebAssembly kernels: assemble each WAT source of {@linkcode WASM_MODULES} with wabt's
 * `wat2wasm` (npm `wabt`, pinned in deno.json; SIMD, relaxed SIMD and threads enabled) and write
 * the binary, base64-encoded, into its TypeScript module. The LSA kernels
 * (`lib/core/wasm/kernels.wat`) give one binary; the transformer engine's
 * (`lib/bandits/engine/wasm/transformer.wat`) give two: as written (relaxed-SIMD fused
 * multiply–add) and with every `(f32x4.relaxed_madd a b c)` rewritten to
 * `(f32x4.add (f32x4.mul a b) c)` ({@linkcode withoutRelaxed}) for runtimes without relaxed SIMD;
 * the module carries the first in full and the second as its byte edits of the first
 * ({@linkcode byteEdits}), the bytes the two share written once.
 * The committed modules are generated only by this script (tests rebuild them and check they are
 * byte-identical).
 *
 * Usage: deno run -A scripts/build_wasm.ts [--check]  (`--check`: exit 1 if the committed module
 * is stale, write nothing). Exit codes: 0 ok · 1 stale · 64 bad command line.
 *
 * @module
 */

import { dirname, join, relative } from "node:path";
import { applyByteEdits } from "../lib/bandits/engine/wasm/byte_edits.ts";
import wabtInit from "wabt";
import { parseFlags, repoRoot, UsageError } from "./cli.ts";

/**
 * Assemble WAT source text into a wasm binary with SIMD and threads (shared memory) enabled.
 *
 * @example
 * ```ts
 * import { assembleWat } from "./build_wasm.ts";
 * const bytes = await assembleWat("(module (func (export \"f\") (result i32) i32.const 7))");
 * bytes.slice(0, 4); // Uint8Array [0, 97, 115, 109] ("\0asm")
 * ```
 */
export async function assembleWat(source: string, name = "kernels.wat"): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const features = { simd: true, threads: true, relaxed_simd: true };
  const mod = wabt.parseWat(name, source, features);
  try {
    // wabt's validate takes the feature set too (its .d.ts omits the parameter); without it the
    // validator refuses the shared memory.
    (mod as unknown as { validate(f: typeof features): void }).validate(features);
    return mod.toBinary({ log: false, write_debug_names: false }).buffer;
  } finally {
    mod.destroy();
  }
}

/**
 * Rewrite every folded `(f32x4.relaxed_madd a b c)` of a WAT source as
 * `(f32x4.add (f32x4.mul a b) c)`: the same arithmetic without relaxed SIMD (two roundings).
 * Line comments are dropped. Throws if a relaxed instruction is left that is not in that folded form.
 *
 * @example
 * ```ts
 * import { withoutRelaxed } from "./build_wasm.ts";
 * withoutRelaxed("(f32x4.relaxed_madd (local.get $a) (local.get $b) (local.get $c))");
 * // "(f32x4.add (f32x4.mul (local.get $a) (local.get $b)) (local.get $c))"
 * ```
 */
export function withoutRelaxed(source: string): string {
  const src = source.replace(/;;[^\n]*/g, ""); // line comments may mention the instruction
  const head = "(f32x4.relaxed_madd";
  let out = "", pos = 0;
  for (;;) {
    const at = src.indexOf(head, pos);
    if (at < 0) break;
    out += src.slice(pos, at);
    // read three balanced operands after the head
    let i = at + head.length;
    const args: string[] = [];
    for (let a = 0; a < 3; a++) {
      while (/\s/.test(src[i])) i++;
      if (src[i] !== "(") {
        throw new SyntaxError(`relaxed_madd at offset ${at}: operand ${a + 1} is not folded`);
      }
      const start = i;
      let depth = 0;
      do {
        if (src[i] === "(") depth++;
        else if (src[i] === ")") depth--;
        i++;
      } while (depth > 0 && i < src.length);
      args.push(withoutRelaxed(src.slice(start, i)));
    }
    while (/\s/.test(src[i])) i++;
    if (src[i] !== ")") throw new SyntaxError(`relaxed_madd at offset ${at}: expected ")"`);
    out += `(f32x4.add (f32x4.mul ${args[0]} ${args[1]}) ${args[2]})`;
    pos = i + 1;
  }
  out += src.slice(pos);
  if (out.includes("relaxed")) throw new SyntaxError("a relaxed SIMD instruction is left");
  return out;
}

/** A generated module: its WAT source, its TypeScript output, and its exported constants. */
export interface WasmModuleSpec {
  /** WAT source, relative to the repository root. */
  wat: string;
  /** Generated TypeScript module, relative to the repository root. */
  out: string;
  /** Exported constant carrying the binary as written. */
  name: string;
  /** Exported constant carrying the binary without relaxed SIMD (none: not built). */
  plainName?: string;
}

/** Every module this script builds. */
export const WASM_MODULES: readonly WasmModuleSpec[] = [
  {
    wat: "lib/core/wasm/kernels.wat",
    out: "lib/core/wasm/kernels_wasm.ts",
    name: "KERNELS_WASM_BASE64",
  },
  {
    wat: "lib/bandits/engine/wasm/transformer.wat",
    out: "lib/bandits/engine/wasm/transformer_wasm.ts",
    name: "TRANSFORMER_WASM_BASE64",
    plainName: "TRANSFORMER_PLAIN_WASM_BASE64",
  },
];

/** `text` as TypeScript string literals of 96 characters joined by `+`, one a line, then `;`. */
function stringLines(text: string, indent = "  "): string {
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += 96) lines.push(`${indent}"${text.slice(i, i + 96)}"`);
  return lines.join(" +\n") + ";";
}

/** Bytes as a binary string (one character a byte), the form `btoa` encodes. */
function binary(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return bin;
}

function base64Lines(bytes: Uint8Array): string {
  return stringLines(btoa(binary(bytes)));
}

/** Bytes compared to resynchronise after a difference in {@linkcode byteEdits}. */
const SYNC = 8;

/**
 * Edits that turn `from` into `to`, as text: space-separated `offset:removed:inserted` (an offset
 * into `from`, how many of its bytes to drop there, the bytes to put in their place in base64),
 * in increasing offset order; the bytes between edits are kept. Found greedily: at each
 * difference, the shortest pair of skips after which both sides agree for 8 bytes (or the ends).
 * `applyByteEdits` of `lib/bandits/engine/wasm/byte_edits.ts` applies it.
 *
 * @example
 * ```ts
 * import { byteEdits } from "./build_wasm.ts";
 * byteEdits(new Uint8Array([1, 2, 3]), new Uint8Array([1, 9, 3])); // "1:1:CQ=="
 * ```
 */
export function byteEdits(from: Uint8Array, to: Uint8Array): string {
  const edits: string[] = [];
  const agree = (i: number, j: number) => {
    const n = Math.min(SYNC, from.length - i, to.length - j);
    if (n < SYNC && (from.length - i !== n || to.length - j !== n)) return false;
    for (let k = 0; k < n; k++) if (from[i + k] !== to[j + k]) return false;
    return true;
  };
  let i = 0, j = 0;
  while (i < from.length || j < to.length) {
    if (i < from.length && j < to.length && from[i] === to[j]) {
      i++, j++;
      continue;
    }
    let di = from.length - i, dj = to.length - j; // no resynchronisation: replace the rest
    search: for (let k = 1; k <= di + dj; k++) {
      for (let a = Math.max(0, k - (to.length - j)); a <= Math.min(k, from.length - i); a++) {
        if (agree(i + a, j + k - a)) {
          di = a, dj = k - a;
          break search;
        }
      }
    }
    edits.push(`${i}:${di}:${btoa(binary(to.subarray(j, j + dj)))}`);
    i += di, j += dj;
  }
  return edits.join(" ");
}

/** The module that applies the edits a generated module carries (relative to the repository root). */
const BYTE_EDITS_MODULE = "lib/bandits/engine/wasm/byte_edits.ts";

/**
 * The TypeScript module text that carries the binary (and, optionally, its plain-SIMD twin).
 *
 * @example
 * ```ts
 * import { moduleText } from "./build_wasm.ts";
 * const text = moduleText(new Uint8Array([0, 97, 115, 109]));
 * text.includes('"AGFzbQ=="'); // true
 * ```
 */
export function moduleText(
  bytes: Uint8Array,
  spec: WasmModuleSpec = WASM_MODULES[0],
  plain?: Uint8Array,
): string {
  const parts = [
    `// GENERATED by scripts/build_wasm.ts from ${spec.wat} (wabt wat2wasm). Do not edit.`,
    "",
    "/** The assembled kernels module, base64. */",
    `export const ${spec.name}: string =`,
    base64Lines(bytes),
    "",
  ];
  if (spec.plainName !== undefined) {
    if (plain === undefined) throw new RangeError(`${spec.out} needs its plain-SIMD binary`);
    // The two builds differ only around each multiply–add: carry the second as edits of the first.
    const edits = byteEdits(bytes, plain);
    if (applyByteEdits(btoa(binary(bytes)), edits) !== btoa(binary(plain))) {
      throw new Error(`${spec.out}: the edits do not rebuild the plain-SIMD binary`);
    }
    const from = relative(dirname(spec.out), BYTE_EDITS_MODULE);
    parts.splice(
      1,
      0,
      `import { applyByteEdits } from "${from.startsWith(".") ? "" : "./"}${from}";`,
    );
    parts.push(
      "/**",
      " * The same kernels without relaxed SIMD (multiply, then add), base64: the binary above with",
      " * the edits `offset:removed:inserted` below applied (they differ only around each multiply–add).",
      " */",
      `export const ${spec.plainName}: string = applyByteEdits(`,
      `  ${spec.name},`,
      stringLines(edits, "    ").replace(/^ {4}/, "  ").replace(/;$/, ","), // as deno fmt lays it out
      ");",
      "",
    );
  }
  return parts.join("\n");
}

/**
 * The generated TypeScript text of one module spec, from its WAT source on disk.
 *
 * @example
 * ```ts
 * import { buildModuleText, WASM_MODULES } from "./build_wasm.ts";
 * import { repoRoot } from "./cli.ts";
 * (await buildModuleText(repoRoot(), WASM_MODULES[1])).startsWith("// GENERATED"); // true
 * ```
 */
export async function buildModuleText(root: string, spec: WasmModuleSpec): Promise<string> {
  const src = await Deno.readTextFile(join(root, spec.wat));
  const bytes = await assembleWat(src, spec.wat);
  const plain = spec.plainName === undefined
    ? undefined
    : await assembleWat(withoutRelaxed(src), spec.wat);
  return moduleText(bytes, spec, plain);
}

/** Usage text of `build_wasm.ts`. */
export const USAGE = `Usage: deno run -A scripts/build_wasm.ts [--check]

Assemble lib/core/wasm/kernels.wat and lib/bandits/engine/wasm/transformer.wat and write their
generated TypeScript modules (kernels_wasm.ts, transformer_wasm.ts).

Options:
  --check      write nothing; exit 1 if the committed module differs from a fresh build
  -h, --help   this help`;

/**
 * Build (or with `--check` compare) the committed kernels module; returns the exit code.
 *
 * @example
 * ```ts
 * import { main } from "./build_wasm.ts";
 * await main(["--check"]); // 0: every generated module is up to date
 * ```
 */
export async function main(args: readonly string[]): Promise<number> {
  let check: boolean;
  try {
    const v = parseFlags(args, {
      check: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    }).values;
    if (v.help) {
      console.log(USAGE);
      return 0;
    }
    check = v.check ?? false;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`build_wasm: ${e.message}`);
    return 64;
  }
  const root = repoRoot();
  let rc = 0;
  for (const spec of WASM_MODULES) {
    const text = await buildModuleText(root, spec);
    const out = join(root, spec.out);
    if (check) {
      let now = "";
      try {
        now = await Deno.readTextFile(out);
      } catch { /* missing counts as stale */ }
      if (now !== text) {
        console.error(`${spec.out} is stale: run deno run -A scripts/build_wasm.ts`);
        rc = 1;
      } else console.log(`${spec.out} is up to date`);
    } else {
      await Deno.writeTextFile(out, text);
      console.log(`wrote ${out}`);
    }
  }
  return rc;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
