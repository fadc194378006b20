/**
 * Model interchange: ONNX export (for ONNX Runtime and other runtimes) and import (models from
 * torch.onnx.export become fine-tunable waldo modules).
 *
 * @example
 * import { io, models } from 'waldo';
 * const bytes = io.exportOnnx(models.lenet5(), [1, 1, 28, 28]);
 * const again = io.importOnnx(bytes, 'lenet5.onnx');
 *
 * @module
 */
export { exportOnnx, exportableLayers, type OnnxExportOptions } from './onnx/export.js';
export { importOnnx, importableOps, OnnxGraphModule } from './onnx/import.js';
export { exportPytorch } from './pytorchExport.js';
