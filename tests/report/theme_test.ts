// Tests of lib/report/theme.ts: the config block is fresh on every call and carries the theme.
import assert from "node:assert/strict";
import { THEME, themeConfig, VEGA_LITE_SCHEMA } from "../../lib/report/theme.ts";

Deno.test("themeConfig is a fresh object carrying the theme's font and palette", () => {
  const a = themeConfig();
  const b = themeConfig();
  assert.notEqual(a, b);
  assert.deepEqual(a, b);
  assert.equal(a.font, THEME.font);
  assert.deepEqual(a.range, { category: { scheme: "tableau10" } });
  assert.match(VEGA_LITE_SCHEMA, /vega-lite\/v6\.json$/);
});
