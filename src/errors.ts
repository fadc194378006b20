/**
 * waldo's error types. Each message names what failed (the op or layer path), the shapes involved,
 * and the arithmetic that did not work, so a user can fix the input without reading the source.
 */

/** A tensor shape that cannot work for an op or layer. */
export class ShapeError extends Error {
  override name = 'ShapeError';
}

/** An option or argument value that cannot work (stride 0, groups not dividing channels, a float label tensor...). */
export class ValueError extends Error {
  override name = 'ValueError';
}

/** A file that cannot be read: the message names the file and what is wrong with it. */
export class FormatError extends Error {
  override name = 'FormatError';
  constructor(readonly file: string, readonly problem: string) {
    super(`${file}: ${problem}`);
  }
}
