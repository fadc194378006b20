import { readFileSync } from 'node:fs';
import { FormatError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { writeFileAtomic } from './atomicWrite.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { namedArraysFromTensors, tensorsFromNamedArrays } from './tensorArrays.js';

/**
 * Saves a model's state dict as safetensors with PyTorch's names and layouts (int32 counters as
 * int64), so `model.load_state_dict(safetensors.torch.load_file(path))` works in PyTorch.
 * String metadata (architecture, classes, normalisation) rides along in `__metadata__`.
 *
 * @example
 * saveModel('lenet5.safetensors', model, { model: 'lenet5' });
 */
export function saveModel(path: string, model: { stateDict(): Map<string, Tensor> }, metadata: Record<string, string> = {}): void {
  writeFileAtomic(path, encodeSafetensors(namedArraysFromTensors(model.stateDict(), '', { int64: true }), metadata));
}

/** Reads a safetensors state dict (from waldo or PyTorch): tensors by name plus the metadata. */
export function loadModelFile(path: string): { stateDict: Map<string, Tensor>; metadata: Record<string, string> } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new FormatError(path, `cannot read the weights (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const { tensors, metadata } = decodeSafetensors(bytes, path);
  return { stateDict: tensorsFromNamedArrays(tensors), metadata };
}
