import { basename, dirname, extname, join } from 'node:path';
import { defineCommand } from '../command.js';
import { readUserFile } from '../readUserFile.js';
import { type ParsedArgs, UsageError, numberOption } from '../args.js';
import { decodeImage } from '../../io/image.js';
import { encodePng } from '../../io/png.js';
import { writeFileAtomic } from '../../io/atomicWrite.js';
import { loadModelFile, saveModel } from '../../io/modelFile.js';
import { FormatError } from '../../errors.js';
import { Generator } from '../../tensor/random.js';
import { generateScene, rgbBytesToScene, sceneToRgbBytes } from '../../explain/waldoScenes.js';
import { evaluateDetector, findWaldo, heatmapOverlay, trainWaldoDetector, waldoDetector } from '../../explain/waldoDetector.js';
import type { Sequential } from '../../nn/index.js';

const DEFAULT_WEIGHTS = 'runs/waldo/detector.safetensors';
const MODEL_NAME = 'waldo-detector';

/**
 * `waldo find`: Where's Waldo with a fully convolutional detector. Three modes, one per flag:
 * find him in images (the default), `--train` a detector on generated scenes and save it, or
 * `--scene` to generate a scene to try it on.
 */
export const findCommand = defineCommand(
  {
    name: 'find',
    summary: "Where's Waldo: find the striped figure in a scene, train the detector (--train) or make a scene (--scene)",
    usage: [
      'waldo find IMAGE... [--weights FILE] [--out HEATMAP.png]',
      '       waldo find --train [--steps N] [--size N] [--batch N] [--seed N] [--weights FILE] [--eval-scenes N] [--eval-size N]',
      '       waldo find --scene OUT.png [--seed N] [--size N] [--empty]',
    ].join('\n'),
    positionals: 'IMAGE...',
    options: {
      weights: { type: 'string', value: 'FILE', help: `detector weights to read, or to write with --train (default ${DEFAULT_WEIGHTS})` },
      out: { type: 'string', value: 'FILE', help: 'heatmap overlay PNG for a single IMAGE (default IMAGE-heatmap.png next to each image)' },
      train: { type: 'boolean', help: 'train a detector on generated scenes, save it to --weights and print held-out metrics' },
      steps: { type: 'string', value: 'N', help: 'training steps with --train (default 1500)' },
      batch: { type: 'string', value: 'N', help: 'scenes per training step with --train (default 16)' },
      'eval-scenes': { type: 'string', value: 'N', help: 'held-out scenes scored after --train, half with Waldo (default 200)' },
      'eval-size': { type: 'string', value: 'N', help: 'side of the held-out scenes in pixels (default 128)' },
      scene: { type: 'string', value: 'FILE', help: 'write a generated scene (with Waldo unless --empty) to this PNG and exit' },
      empty: { type: 'boolean', help: 'with --scene: a scene without Waldo' },
      size: { type: 'string', value: 'N', help: 'scene side in pixels: of the --scene image (default 96), of the training scenes with --train (default 48)' },
      seed: { type: 'string', value: 'N', help: 'seed of the generated scene or of the training run (default 0)' },
      quiet: { type: 'boolean', short: 'q', help: 'with --train: print only the final metrics' },
    },
  },
  (args) => {
    const modes = [args.values.train === true, args.values.scene !== undefined, args.positionals.length > 0].filter(Boolean).length;
    if (modes !== 1) throw new UsageError("waldo find: give image files, or --train, or --scene FILE (exactly one of them; see 'waldo find --help')");
    const seed = numberOption(args, 'seed', 'find', { integer: true, min: 0 }) ?? 0;
    if (args.values.scene !== undefined) return writeScene(args, args.values.scene as string, seed);
    if (args.values.train === true) return train(args, seed);
    return find(args);
  },
);

function writeScene(args: ParsedArgs, file: string, seed: number): number {
  const size = numberOption(args, 'size', 'find', { integer: true, min: 16 }) ?? 96;
  const scene = generateScene(new Generator(seed), { width: size, height: size, withWaldo: args.values.empty !== true });
  writeFileAtomic(file, encodePng({ width: size, height: size, channels: 3, data: sceneToRgbBytes(scene.image, size, size) }));
  const where = scene.waldo === null ? 'no Waldo' : `Waldo at (${scene.waldo.x}, ${scene.waldo.y})`;
  process.stdout.write(`wrote ${file}: ${size}x${size} scene, seed ${seed}, ${where}\n`);
  return 0;
}

function train(args: ParsedArgs, seed: number): number {
  const steps = numberOption(args, 'steps', 'find', { integer: true, min: 1 }) ?? 1500;
  const sceneSize = numberOption(args, 'size', 'find', { integer: true, min: 16 }) ?? 48;
  const batchSize = numberOption(args, 'batch', 'find', { integer: true, min: 1 }) ?? 16;
  const evalScenes = numberOption(args, 'eval-scenes', 'find', { integer: true, min: 1 }) ?? 200;
  const evalSize = numberOption(args, 'eval-size', 'find', { integer: true, min: 16 }) ?? 128;
  const weights = (args.values.weights as string | undefined) ?? DEFAULT_WEIGHTS;
  const quiet = args.values.quiet === true;
  const every = Math.max(1, Math.round(steps / 20));
  const start = Date.now();
  let recent = 0;
  const { model } = trainWaldoDetector({
    steps,
    batchSize,
    sceneSize,
    seed,
    onStep: (step, loss) => {
      recent += loss;
      if (!quiet && (step % every === 0 || step === steps)) {
        const n = step % every === 0 ? every : step % every;
        process.stdout.write(`step ${step}/${steps}: loss ${(recent / n).toFixed(4)} (${((Date.now() - start) / 1000).toFixed(1)}s)\n`);
      }
      if (step % every === 0) recent = 0;
    },
  });
  const seconds = (Date.now() - start) / 1000;
  const metadata = { model: MODEL_NAME, steps: String(steps), sceneSize: String(sceneSize), batchSize: String(batchSize), seed: String(seed) };
  // Saved before the evaluation too, so an interrupted evaluation does not lose the training.
  saveModel(weights, model, metadata);
  // Held-out scenes come from their own seed, never used for training, and are larger than the training scenes.
  const metrics = evaluateDetector(model, { scenes: evalScenes, size: evalSize, seed: 1_000_003 + seed });
  saveModel(weights, model, { ...metadata, heldOut: JSON.stringify({ ...metrics, size: evalSize }) });
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  process.stdout.write(
    `held-out ${evalScenes} scenes of ${evalSize}x${evalSize} (half with Waldo): presence accuracy ${pct(metrics.presenceAccuracy)}, ` +
      `located within 4 px ${pct(metrics.locatedWithin4px)} (found and located ${pct(metrics.foundWithin4px)}) of scenes with Waldo; ` +
      `trained ${steps} steps on ${sceneSize}x${sceneSize} scenes in ${seconds.toFixed(1)}s; weights in ${weights}\n`,
  );
  return 0;
}

function loadDetector(path: string): Sequential {
  const { stateDict, metadata } = loadModelFile(path);
  if (metadata.model !== MODEL_NAME) {
    throw new FormatError(path, `these are not Waldo-detector weights (metadata 'model' is '${metadata.model ?? ''}'); train some with 'waldo find --train'`);
  }
  const model = waldoDetector();
  model.loadStateDict(stateDict);
  model.eval();
  return model;
}

function find(args: ParsedArgs): number {
  const out = args.values.out as string | undefined;
  if (out !== undefined && args.positionals.length > 1) throw new UsageError('waldo find: --out names one heatmap, so give one image with it');
  const model = loadDetector((args.values.weights as string | undefined) ?? DEFAULT_WEIGHTS);
  for (const file of args.positionals) {
    const bytes = readUserFile(file);
    const raw = decodeImage(bytes, file);
    if (raw.width < 2 || raw.height < 2) throw new FormatError(file, `is ${raw.width}x${raw.height}; the detector needs at least 2x2 pixels`);
    const image = rgbBytesToScene(raw.data, raw.width, raw.height, raw.channels);
    const r = findWaldo(model, image, raw.width, raw.height);
    const heatmap = out ?? join(dirname(file), `${basename(file, extname(file))}-heatmap.png`);
    const overlay = heatmapOverlay(image, raw.width, raw.height, r.scoreMap, r.present ? r : undefined);
    writeFileAtomic(heatmap, encodePng({ width: raw.width, height: raw.height, channels: 3, data: overlay }));
    const verdict = r.present ? `Waldo at (${Math.round(r.x)}, ${Math.round(r.y)}), probability ${r.probability.toFixed(2)}` : `no Waldo (probability ${r.probability.toFixed(2)})`;
    process.stdout.write(`${file}: ${verdict}; heatmap in ${heatmap}\n`);
  }
  return 0;
}
