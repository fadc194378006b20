/**
 * waldo's error types. Each message names what failed (the op or layer path), the shapes involved,
 * and the arithmetic that did not work, so a user can fix the input without reading the source.
 */

/**
 * A tensor shape that cannot work for an op or layer.
 *
 * @example
 * import { ShapeError, matmul, zeros } from 'waldo';
 * try {
 *   matmul(zeros([2, 3]), zeros([4, 5]));
 * } catch (e) {
 *   e instanceof ShapeError; // true; the message names both shapes
 * }
 */
export class ShapeError extends Error {
  override name = 'ShapeError';
}

/**
 * An option or argument value that cannot work (stride 0, groups not dividing channels, a float label tensor...).
 *
 * @example
 * import { ValueError, nn } from 'waldo';
 * try {
 *   new nn.Conv2d(3, 8, 3, { groups: 2 }); // 2 groups cannot split 3 input channels
 * } catch (e) {
 *   e instanceof ValueError; // true
 * }
 */
export class ValueError extends Error {
  override name = 'ValueError';
}

/**
 * A file that cannot be read: the message names the file and what is wrong with it.
 *
 * @example
 * import { FormatError, io } from 'waldo';
 * try {
 *   io.importOnnx(new Uint8Array([1, 2, 3]), 'broken.onnx');
 * } catch (e) {
 *   if (e instanceof FormatError) e.file; // 'broken.onnx'
 * }
 */
export class FormatError extends Error {
  override name = 'FormatError';
  constructor(readonly file: string, readonly problem: string) {
    super(`${file}: ${problem}`);
  }
}
