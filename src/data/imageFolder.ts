import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { FormatError } from '../errors.js';
import { decodeImage } from '../io/image.js';
import { ArrayDataset } from './dataset.js';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

function subfolders(dir: string): string[] {
  return readdirSync(dir).filter((name) => statSync(join(dir, name)).isDirectory()).sort();
}

function imageFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => IMAGE_EXTENSIONS.has(extname(name).toLowerCase())).sort();
}

/**
 * Images in one subfolder per class (torchvision's ImageFolder layout), PNG or JPEG, all the same
 * size. Inputs are [C, H, W] in [0, 1]: C = 1 when every image is grayscale, 3 otherwise (alpha
 * dropped). With `train/` and `test/` subfolders those are the splits; otherwise every fifth file
 * of each class (in name order) is held out, a fixed class-balanced 80/20 split.
 *
 * @example
 * const { train, test, classes } = loadImageFolder('shapes/'); // shapes/circle/*.png, shapes/square/*.png
 */
export function loadImageFolder(dir: string): { train: ArrayDataset; test: ArrayDataset; classes: string[] } {
  if (!existsSync(dir)) throw new FormatError(dir, 'no such folder');
  if (existsSync(join(dir, 'train')) && existsSync(join(dir, 'test'))) {
    const classes = subfolders(join(dir, 'train'));
    return { train: readSplit(join(dir, 'train'), classes, () => true), test: readSplit(join(dir, 'test'), classes, () => true), classes };
  }
  const classes = subfolders(dir);
  if (classes.length < 2) throw new FormatError(dir, `needs one subfolder per class (at least two), found ${classes.length}`);
  return { train: readSplit(dir, classes, (i) => i % 5 !== 4), test: readSplit(dir, classes, (i) => i % 5 === 4), classes };
}

function readSplit(dir: string, classes: string[], keep: (indexInClass: number) => boolean): ArrayDataset {
  const decoded: { file: string; label: number; width: number; height: number; channels: number; data: Uint8Array }[] = [];
  classes.forEach((name, label) => {
    const folder = join(dir, name);
    if (!existsSync(folder)) throw new FormatError(folder, `class '${name}' has no folder here`);
    imageFiles(folder).forEach((file, i) => {
      if (!keep(i)) return;
      const path = join(folder, file);
      decoded.push({ file: path, label, ...decodeImage(readFileSync(path), path) });
    });
  });
  if (decoded.length === 0) throw new FormatError(dir, 'holds no PNG or JPEG images');
  const { width, height } = decoded[0];
  const gray = decoded.every((d) => d.channels <= 2);
  const channels = gray ? 1 : 3;
  const plane = width * height;
  const inputs = new Float32Array(decoded.length * channels * plane);
  decoded.forEach((d, n) => {
    if (d.width !== width || d.height !== height) throw new FormatError(d.file, `is ${d.width}×${d.height} but ${decoded[0].file} is ${width}×${height}; images of one dataset must share a size`);
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < channels; c++) {
        // Grayscale sources repeat their one value for RGB; RGB sources keep their first three channels.
        const source = d.channels <= 2 ? 0 : c;
        inputs[n * channels * plane + c * plane + p] = d.data[p * d.channels + source] / 255;
      }
    }
  });
  return new ArrayDataset(inputs, [channels, height, width], Int32Array.from(decoded, (d) => d.label), classes);
}
