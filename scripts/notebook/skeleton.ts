/**
 * The skeleton of a new notebook: claim, config, compute with progress, figure, manifest, result.
 *
 * @module
 */

import { basename } from "node:path";
import type { Cell } from "./ipynb.ts";

/**
 * Skeleton cells for a new notebook: claim, config, compute with progress, figure, manifest,
 * result. Imports are relative to `importBase` ("../" in notebooks/, "../../" in notebooks/src/).
 *
 * @example
 * ```ts
 * import { skeletonCells } from "./skeleton.ts";
 * const cells = skeletonCells("04 — actor–critic", "../");
 * cells[0].source.startsWith("# 04 — actor–critic"); // true
 * ```
 */
export function skeletonCells(title: string, importBase: string): Cell[] {
  return [
    {
      kind: "markdown",
      source: `# ${title}\n\n**Claim** (MATH §?): …\n\nWhat this notebook does: …`,
    },
    {
      kind: "code",
      source: [
        `import {`,
        `  byScale, dataDir, figuresDir, lineChart, liveSink, progress, runScale, saveFigure, timer,`,
        `  writeManifest, writeTable,`,
        `} from "${importBase}lib/report/mod.ts";`,
        ``,
        `// every knob in one place; quick = smoke test, paper = full reproduction`,
        `const cfg = {`,
        `  scale: runScale(),`,
        `  seeds: byScale({ quick: [0], paper: [0, 1, 2, 3, 4] }),`,
        `};`,
        `const clock = timer();`,
        `cfg;`,
      ].join("\n"),
    },
    {
      kind: "code",
      source: [
        `// compute (call lib/, show progress)`,
        `const rows: { step: number; value: number; seed: number }[] = [];`,
        `const bar = progress("compute", cfg.seeds.length, { onUpdate: liveSink(Deno.jupyter.display) });`,
        `for (const seed of cfg.seeds) {`,
        `  for (let step = 0; step < 10; step++) rows.push({ step, value: step * step, seed });`,
        `  await bar.tick();`,
        `}`,
        `await bar.done();`,
        `writeTable(rows, \`\${dataDir()}/NN_name\`);`,
      ].join("\n"),
    },
    {
      kind: "code",
      source: [
        `// figure: saved to figures/ and shown inline`,
        `await saveFigure(`,
        `  lineChart({`,
        `    rows, x: "step", y: "value", color: "seed",`,
        `    title: "…", xTitle: "step", yTitle: "value (units)",`,
        `  }),`,
        `  \`\${figuresDir()}/NN_name\`,`,
        `);`,
      ].join("\n"),
    },
    {
      kind: "code",
      source: [
        `const manifest = await writeManifest(\`\${dataDir()}/NN_name.manifest.json\`, {`,
        `  name: "NN_name", config: cfg, seeds: cfg.seeds, wallTimeSec: clock.seconds(),`,
        `});`,
        `manifest.git; // commit the results belong to`,
      ].join("\n"),
    },
    {
      kind: "markdown",
      source: `**Result.** The figure shows … (measured numbers: …).`,
    },
  ];
}

/**
 * A notebook title from its file name: `NN_some_name.ipynb` (or `.ts`) → `NN — some name`.
 *
 * @example
 * ```ts
 * import { titleFromPath } from "./skeleton.ts";
 * titleFromPath("notebooks/src/04_actor_critic.ts"); // "04 — actor critic"
 * ```
 */
export function titleFromPath(path: string): string {
  const stem = basename(path).replace(/\.(ipynb|ts)$/, "");
  const m = /^(\d+)_(.*)$/.exec(stem);
  const words = (m ? m[2] : stem).replace(/_/g, " ");
  return m ? `${m[1]} — ${words}` : words;
}
