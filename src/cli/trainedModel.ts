import { FormatError } from '../errors.js';
import { loadModelFile } from '../io/modelFile.js';
import { modelZoo } from '../models/index.js';
import type { Sequential } from '../nn/index.js';

/** A model rebuilt from weights written by `waldo train`, with what is needed to feed it. */
export interface TrainedModel {
  name: string;
  model: Sequential;
  data: string;
  classes: string[];
  mean: number[];
  std: number[];
  inputShape: number[];
}

/** The metadata `waldo train` stores next to the weights. */
export function trainedMetadata(config: { model: string; data: string }, classes: readonly string[], mean: number[], std: number[], inputShape: readonly number[]): Record<string, string> {
  return { model: config.model, data: config.data, classes: JSON.stringify(classes), mean: JSON.stringify(mean), std: JSON.stringify(std), inputShape: JSON.stringify(inputShape) };
}

export function loadTrainedModel(path: string): TrainedModel {
  const { stateDict, metadata } = loadModelFile(path);
  const name = metadata.model;
  const build = name === undefined ? undefined : modelZoo[name];
  if (build === undefined) throw new FormatError(path, `the weights do not say which waldo model they belong to (metadata 'model' is '${name ?? ''}'); use weights written by waldo train`);
  const parse = <T>(key: string): T => {
    try {
      return JSON.parse(metadata[key] ?? '') as T;
    } catch {
      throw new FormatError(path, `metadata '${key}' is missing or not JSON`);
    }
  };
  const classes = parse<string[]>('classes');
  const model = build({ numClasses: classes.length });
  model.loadStateDict(stateDict);
  return { name, model, data: metadata.data ?? 'mnist', classes, mean: parse('mean'), std: parse('std'), inputShape: parse('inputShape') };
}
