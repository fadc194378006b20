import { test } from 'node:test';
import assert from 'node:assert/strict';
import { viz } from '../../src/index.js';
import { decodePng } from '../../src/io/png.js';

test('niceTicks: round steps covering the range, and no endless loop on a range of a few ulps', () => {
  assert.deepEqual(viz.niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(viz.niceTicks(2, 97, 5), [20, 40, 60, 80]);
  const v = Math.fround(0.7234567);
  const next = v + Number.EPSILON * v; // one float64 ulp above v
  const ticks = viz.niceTicks(v, next);
  assert.ok(ticks.length >= 1 && ticks.length <= 2, JSON.stringify(ticks));
});

test('lineChart draws every series as a real PNG, including a flat one', () => {
  const chart = viz.lineChart({ title: 'loss', xLabel: 'epoch', yLabel: 'loss', series: [{ name: 'flat', values: [0.5, 0.5, 0.5 + 1e-9] }, { name: 'falling', values: [2, 1, 0.5] }] });
  const image = decodePng(chart.toPng(), 'chart.png');
  assert.deepEqual([image.width, image.height, image.channels], [640, 400, 3]);
  // The default palette's first two colours appear: the lines were drawn.
  const has = (rgb: number[]) => { for (let p = 0; p < image.data.length; p += 3) if (image.data[p] === rgb[0] && image.data[p + 1] === rgb[1] && image.data[p + 2] === rgb[2]) return true; return false; };
  assert.ok(has([31, 119, 180]) && has([214, 39, 40]));
});
