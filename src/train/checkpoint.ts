import { readFileSync } from 'node:fs';
import { FormatError } from '../errors.js';
import { writeFileAtomic } from '../io/atomicWrite.js';
import { decodeSafetensors, encodeSafetensors } from '../io/safetensors.js';
import { tensorsFromNamedArrays, namedArraysFromTensors } from '../io/tensorArrays.js';
import type { TypedArray } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import type { EpochRecord } from './fit.js';
import { joinArrays, separateArrays } from './stateTree.js';

/** The settings of a CLI run, kept in its checkpoint so `--resume` continues the same run. */
export interface RunConfig {
  model: string;
  data: string;
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer: string;
  shift: number;
  seed: number;
}

/** Everything needed to continue training exactly where it stopped. */
export interface Checkpoint {
  config: RunConfig;
  /** Epochs completed. */
  epoch: number;
  history: EpochRecord[];
  model: Map<string, Tensor>;
  optimizer: unknown;
  scheduler: unknown;
  /** State of the data loader's generator (shuffle order and augmentation). */
  generator: (number | null)[];
}

const FORMAT = 'waldo-checkpoint/1';

/**
 * Writes a checkpoint as one safetensors file: model tensors under `model/<state-dict name>`, the
 * typed arrays of optimizer state under `state/...`, and everything else as JSON in the metadata.
 * The write is atomic (temporary file, then rename), so a crash leaves the previous checkpoint whole.
 */
export function writeCheckpoint(path: string, checkpoint: Checkpoint): void {
  const arrays = new Map<string, TypedArray>();
  const { model, ...rest } = checkpoint;
  const state = separateArrays(rest, 'state', arrays);
  const tensors = namedArraysFromTensors(model, 'model/');
  for (const [name, data] of arrays) tensors.set(name, { dtype: dtypeName(data), shape: [data.length], data });
  writeFileAtomic(path, encodeSafetensors(tensors, { format: FORMAT, state: JSON.stringify(state) }));
}

/** Reads a checkpoint written by writeCheckpoint; a missing or foreign file is a FormatError naming it. */
export function readCheckpoint(path: string): Checkpoint {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new FormatError(path, `cannot read the checkpoint (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); train without --resume first`);
  }
  const { tensors, metadata } = decodeSafetensors(bytes, path);
  if (metadata.format !== FORMAT || typeof metadata.state !== 'string') throw new FormatError(path, `not a waldo checkpoint (metadata format '${metadata.format ?? ''}', expected '${FORMAT}')`);
  let state: unknown;
  try {
    state = JSON.parse(metadata.state);
  } catch (error) {
    throw new FormatError(path, `the checkpoint's state is not valid JSON: ${(error as Error).message}`);
  }
  const arrays = new Map<string, TypedArray>();
  for (const [name, array] of tensors) if (name.startsWith('state/')) arrays.set(name, array.data as TypedArray);
  const rest = joinArrays(state, arrays, path) as Omit<Checkpoint, 'model'>;
  return { ...rest, model: tensorsFromNamedArrays(tensors, 'model/') };
}

function dtypeName(data: TypedArray): 'float32' | 'float64' | 'int32' {
  return data instanceof Float32Array ? 'float32' : data instanceof Float64Array ? 'float64' : 'int32';
}
