/**
 * Pictures as PNG: a raster with text, line charts, filter and feature-map grids, heatmaps.
 *
 * @example
 * import { viz, models } from 'waldo';
 * const png = viz.filterGrid(models.lenet5().stateDict().get('features.0.weight')!).toPng();
 *
 * @module
 */
export { Canvas, type Rgb } from './canvas.js';
export { lineChart, niceTicks, type LineChartOptions, type Series } from './lineChart.js';
export { tileGrid, filterGrid, featureMapGrid, heatmapOverlay } from './grids.js';
export { trainingCurves } from './trainingCurves.js';
