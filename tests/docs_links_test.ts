// Every relative link of README.md and docs/*.md leads somewhere: the file exists, and a #anchor
// names a heading of the target page (GitHub's heading ids), so "≤ 2 hops from a number to its
// table and module" cannot break silently when a file moves or a heading changes.
import assert from "node:assert/strict";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";

const root = fromFileUrl(new URL("../", import.meta.url));

/**
 * GitHub's id for a heading: lower case, every character that is not a letter, mark, digit, space
 * or hyphen dropped (emphasis markers, dashes, punctuation), spaces turned into hyphens; a repeated
 * id gets -1, -2, … in order.
 */
function headingIds(markdown: string): Set<string> {
  const ids = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const m = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const text = m[1].replace(/\[([^\]]*)\]\([^)]*\)/g, "$1"); // a linked heading: its text
    const base = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N} -]/gu, "").replace(/ /g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    ids.add(n === 0 ? base : `${base}-${n}`);
  }
  return ids;
}

/** Relative links `[text](path#anchor)` of a markdown page outside code (no URLs, no mailto). */
function relativeLinks(markdown: string): { path: string; anchor: string | null }[] {
  const out: { path: string; anchor: string | null }[] = [];
  const prose = markdown.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  for (const m of prose.matchAll(/\]\(([^)\s]*)\)/g)) {
    const target = m[1];
    if (/^[a-z]+:/i.test(target)) continue;
    const i = target.indexOf("#");
    out.push(
      i < 0 ? { path: target, anchor: null } : {
        path: target.slice(0, i),
        anchor: decodeURIComponent(target.slice(i + 1)),
      },
    );
  }
  return out;
}

Deno.test("headingIds follows GitHub's rule on the headings this project writes", () => {
  const ids = headingIds([
    "# Results",
    "## 01 — A linear self-attention block _is_ a batch RL update",
    "## 04 — One attention block learns batch TD actor–critic and improves π_λ in context",
    "## Conventions and deviations at a glance",
    "```sh",
    "# not a heading",
    "```",
    "## Results",
  ].join("\n"));
  assert.deepEqual([...ids], [
    "results",
    "01--a-linear-self-attention-block-is-a-batch-rl-update",
    "04--one-attention-block-learns-batch-td-actorcritic-and-improves-πλ-in-context",
    "conventions-and-deviations-at-a-glance",
    "results-1",
  ]);
});

Deno.test("relativeLinks skips URLs and code, splits anchors", () => {
  const md =
    "[a](x.md) [b](https://e.org) `[c](no.md)` [d](y.md#sec) [e](#top)\n```\n[f](z.md)\n```";
  assert.deepEqual(relativeLinks(md), [
    { path: "x.md", anchor: null },
    { path: "y.md", anchor: "sec" },
    { path: "", anchor: "top" },
  ]);
});

Deno.test("every relative link of README.md and docs/ resolves to a file and a heading", () => {
  const pages = [
    "README.md",
    ...[...Deno.readDirSync(join(root, "docs"))]
      .filter((e) => e.isFile && e.name.endsWith(".md")).map((e) => `docs/${e.name}`).sort(),
  ];
  const broken: string[] = [];
  let checked = 0;
  for (const page of pages) {
    const text = Deno.readTextFileSync(join(root, page));
    for (const { path, anchor } of relativeLinks(text)) {
      checked++;
      const target = path === "" ? page : normalize(join(dirname(page), path));
      let stat: Deno.FileInfo | null = null;
      try {
        stat = Deno.statSync(join(root, target));
      } catch { /* missing */ }
      if (stat === null) {
        broken.push(`${page}: ${path} (no such file)`);
      } else if (anchor !== null && target.endsWith(".md")) {
        if (!headingIds(Deno.readTextFileSync(join(root, target))).has(anchor)) {
          broken.push(`${page}: ${path}#${anchor} (no such heading in ${target})`);
        }
      }
    }
  }
  assert.ok(checked > 50, `only ${checked} links found: the scan itself is broken`);
  assert.deepEqual(broken, []);
});
