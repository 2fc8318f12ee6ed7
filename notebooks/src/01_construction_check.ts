// Notebook 01 — the construction check (MATH §5, §8.1). Built into notebooks/01_construction_check.ipynb
// by `deno run -A scripts/nbtool.ts build notebooks/src/01_construction_check.ts`.

// %% [markdown]
// # 01 — A linear self-attention block *is* a batch RL update
//
// **Claim** ([LL26] Thm 3.1 and Thm 3.3; MATH §5). With the explicit parameters θ⋆ = (P⋆, V⋆), one
// linear self-attention block (MATH §4: `H_out = H + (1/n)(VH)(HᵀPH)`, readout = the `w` rows of the
// last column) returns **exactly** one step of batch semi-gradient SARSA, of batch TD(0), and of batch
// TD actor–critic, for every trajectory in its prompt — and so does every point `(cP⋆, V⋆/c)`, c ≠ 0,
// of the scaling manifold, negative c included.
//
// **What we measure.** `max |TF_θ(H) − teacher|` over random MDPs (|S| = 9, |A| = 4, γ = 0.5), random
// trajectories and random `w` (and `λ`), sweeping the prompt length `n` (at d = 36) and the feature
// dimension `d` (at n = 20), in float64 (the fast last-column form, MATH §4) and in float32 (tfjs wasm,
// batched), for θ⋆, for `c = 3.7` and `c = −0.5`, for θ⋆ plus a Gaussian perturbation of std 1e-3 on
// every entry, and for a random θ. MATH §5's bar: float64 ≤ 1e-12 relative, float32 ≤ 1e-5.

// %%
import {
  constructionCheck,
  DEFAULT_CONSTRUCTION_CHECK,
} from "../../lib/experiments/construction_check.ts";
import { sarsaConstruction } from "../../lib/mod.ts";
import {
  byScale,
  concatCharts,
  dataDir,
  displayTable,
  figuresDir,
  heatmap,
  lineChart,
  markdown,
  matrixRows,
  runScale,
  saveFigure,
  timer,
  writeManifest,
  writeTable,
} from "../../lib/report/mod.ts";

// Every knob of this notebook. Scale comes from ICRL_SCALE (quick | paper), outputs go to ICRL_OUT.
const scale = runScale();
const config = {
  ...DEFAULT_CONSTRUCTION_CHECK,
  trials: byScale({ quick: 3, paper: 100 }),
};
const heatmapD = 36; // P⋆, V⋆ shown at the paper's d = 36 (D = 3d + 2 = 110)
({ scale, ...config });

// %%
const clock = timer();
const rows = await constructionCheck(config);
const wallTimeSec = clock.seconds();
writeTable(rows, `${dataDir()}/01_construction_errors`);
await writeManifest(`${dataDir()}/01_construction_errors.manifest.json`, {
  name: "01_construction_check",
  config: { scale, ...config, heatmapD },
  seeds: [config.seed],
  wallTimeSec,
});
`${rows.length} rows (3 algorithms × 5 θ variants × 2 precisions × ${
  config.ns.length + config.ds.length
} grid points), ${config.trials} random instances each, in ${wallTimeSec.toFixed(1)} s`;

// %% [markdown]
// ## Error vs prompt length n and vs feature dimension d
//
// Dashed lines: float64; solid: float32 (tfjs). Log scale; exact zeros are drawn at 1e-17. The three
// constructions (θ⋆ and its rescalings — their lines overlap) sit at float round-off; the perturbed and
// random θ sit orders of magnitude above.

// %%
const variantOrder = ["θ⋆ (c=1)", "c=3.7", "c=−0.5", "perturbed", "random"];
const sweepChart = (alg: string, sweep: "n" | "d") =>
  lineChart({
    rows: rows.filter((r) => r.algorithm === alg && r.sweep === sweep).map((r) => ({
      ...r,
      err: Math.max(r.relErr, 1e-17), // exact zeros plotted at 1e-17 on the log axis
    })),
    x: sweep,
    y: "err",
    color: "variant",
    colorOrder: variantOrder,
    strokeDash: "precision",
    logX: true,
    logY: true,
    xDomain: sweep === "n" ? [1, 200] : [2, 64],
    points: true,
    title: `${alg}: error vs ${sweep}`,
    subtitle: sweep === "n" ? `d = ${config.dFixed}` : `n = ${config.nFixed}`,
    xTitle: sweep === "n" ? "prompt length n (transitions)" : "feature dimension d",
    yTitle: "max relative error |TF − teacher|",
    width: 300,
    height: 220,
  });
const errorFigure = await saveFigure(
  concatCharts(
    [
      concatCharts(["SARSA", "TD(0)", "actor–critic"].map((a) => sweepChart(a, "n")), {
        direction: "horizontal",
      }),
      concatCharts(["SARSA", "TD(0)", "actor–critic"].map((a) => sweepChart(a, "d")), {
        direction: "horizontal",
      }),
    ],
    { direction: "vertical" },
  ),
  `${figuresDir()}/01_construction_errors`,
  { png: true },
);
errorFigure;

// %% [markdown]
// ## Maxima over the whole grid

// %%
type Key = string;
const maxima = new Map<
  Key,
  { algorithm: string; variant: string; precision: string; maxRelErr: number; maxAbsErr: number }
>();
for (const r of rows) {
  const key = `${r.algorithm}|${r.variant}|${r.precision}`;
  const m = maxima.get(key) ??
    {
      algorithm: r.algorithm,
      variant: r.variant,
      precision: r.precision,
      maxRelErr: 0,
      maxAbsErr: 0,
    };
  m.maxRelErr = Math.max(m.maxRelErr, r.relErr);
  m.maxAbsErr = Math.max(m.maxAbsErr, r.maxAbsErr);
  maxima.set(key, m);
}
const maximaRows = [...maxima.values()];
writeTable(maximaRows, `${dataDir()}/01_construction_maxima`);
displayTable(maximaRows, { maxRows: 40, digits: 3 });

// %%
const worst = (pred: (r: typeof maximaRows[number]) => boolean) =>
  Math.max(...maximaRows.filter(pred).map((r) => r.maxRelErr));
const exact64 = worst((r) =>
  !["perturbed", "random"].includes(r.variant) && r.precision === "float64"
);
const exact32 = worst((r) =>
  !["perturbed", "random"].includes(r.variant) && r.precision !== "float64"
);
const pert = Math.min(
  ...maximaRows.filter((r) => r.variant === "perturbed").map((r) => r.maxRelErr),
);
const rand = Math.min(...maximaRows.filter((r) => r.variant === "random").map((r) => r.maxRelErr));
if (!(exact64 <= 1e-12 && exact32 <= 1e-5)) {
  throw new Error(`construction check failed: float64 ${exact64}, float32 ${exact32}`);
}
markdown(
  `**Measured** (${config.trials} instances per grid point, n ∈ {${config.ns.join(", ")}}, d ∈ {${
    config.ds.join(", ")
  }}): every construction, at every scale c ∈ {1, 3.7, −0.5}, reproduces its teacher with max relative error
**${exact64.toExponential(2)}** in float64 (bar 1e-12) and **${
    exact32.toExponential(2)
  }** in float32 / tfjs (bar 1e-5).
A perturbation of std 1e-3 already gives ≥ **${pert.toExponential(2)}**, a random θ ≥ **${
    rand.toExponential(2)
  }**.`,
);

// %% [markdown]
// ## The construction θ⋆ for SARSA (d = 36, α = 0.2)
//
// `P⋆` is zero except the block `P12` (token rows × parameter columns): `−I` against `φ_i`, `+I`
// against `γφ_i⁺`, and a single 1 pairing the reward row with the constant 1 of `w̃` — so that
// `x_iᵀ P⋆12 w̃ = δ_i`, the TD error. `V⋆` is zero except `V̄21 = [αI, 0, 0]`, which writes `αφ_i` into
// the `w` rows. Red positive, blue negative (each panel has its own colour scale).

// %%
const star = sarsaConstruction(heatmapD, config.alpha);
const D = star.D;
const starFigure = await saveFigure(
  heatmap({
    rows: [...matrixRows("P⋆", star.P, D, D), ...matrixRows("V⋆", star.V, D, D)],
    x: "col",
    y: "row",
    value: "value",
    facet: "matrix",
    columns: 2,
    independent: true,
    title: `SARSA construction θ⋆ (d = ${heatmapD}, D = 3d + 2 = ${D})`,
    xTitle: "column",
    yTitle: "row",
    valueTitle: "entry",
    cellSize: 3,
  }),
  `${figuresDir()}/01_construction_heatmaps`,
  { png: true },
);
starFigure;

// %% [markdown]
// ## Conclusion
//
// The explicit constructions of [LL26] are exact to machine precision: see the measured numbers above
// (float64 round-off ~1e-15, float32 ~1e-7 relative, for SARSA, TD(0) and actor–critic, at every n ≤ 200
// and d ≤ 64, on the whole scaling manifold including negative c). The perturbed and random parameters
// fail by many orders of magnitude, so the check has teeth. Data: `data/01_construction_errors.csv`,
// `data/01_construction_maxima.csv`; figures: `figures/01_construction_errors.svg`,
// `figures/01_construction_heatmaps.svg`.
