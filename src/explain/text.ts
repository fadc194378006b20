/**
 * A character-level Conv1d text classifier: sentences become one-hot sequences [vocab, L] (one
 * channel per character, time along the text), and the same conv layers that find edges in images
 * find character n-grams (word pieces) anywhere in the sentence. The corpus is generated from
 * templates, seeded, so nothing needs downloading.
 */
import { ShapeError } from '../errors.js';
import { ArrayDataset } from '../data/dataset.js';
import { BatchNorm1d, Conv1d, Flatten, MaxPool1d, type Module, ReLU, Sequential } from '../nn/index.js';
import { Generator } from '../tensor/random.js';
import { GlobalAvgPool1d } from './audio.js';

/** The characters encoded, one channel each; anything else is an all-zero column. */
export const textVocabulary = "abcdefghijklmnopqrstuvwxyz0123456789 .,'-";

/** Class names of `syntheticText`, in label order. */
export const textClasses = ['weather', 'sports', 'recipe', 'finance'] as const;

const words: Record<string, string[]> = {
  city: ['boston', 'denver', 'seattle', 'austin', 'chicago', 'miami', 'the coast', 'the valley'],
  condition: ['rain', 'snow', 'sunshine', 'fog', 'showers', 'thunderstorms', 'clear skies', 'drizzle'],
  wind: ['light', 'strong', 'gusty', 'northerly', 'calm'],
  time: ['today', 'tonight', 'this weekend', 'on monday', 'later this week', 'tomorrow'],
  team: ['the lions', 'the rovers', 'united', 'the hawks', 'city', 'the giants', 'the tigers'],
  player: ['garcia', 'smith', 'nakamura', 'okafor', 'silva', 'jensen'],
  ingredient: ['butter', 'flour', 'garlic', 'sugar', 'lemon', 'salt', 'onion', 'cream', 'basil'],
  dish: ['sauce', 'batter', 'soup', 'dough', 'pan', 'bowl'],
  company: ['acme', 'globex', 'initech', 'umbrella', 'the bank', 'stark', 'wayne corp'],
  adj: ['cold', 'warm', 'slow', 'weak', 'strong'],
};

const templates: string[][] = [
  [
    '{city} will see {condition} {time} with highs near {num} degrees.',
    'expect {condition} and {wind} winds {time}.',
    'a {adj} front brings {condition} to {city} {time}.',
    'lows of {num} and {condition} are likely in {city}.',
  ],
  [
    '{team} beat {team} {num} to {num} {time}.',
    '{player} scored twice as {team} won at home.',
    'the coach of {team} praised the defense after a {num}-{num} draw.',
    '{team} lost to {team} {time} despite a goal by {player}.',
  ],
  [
    'whisk {num} eggs with the {ingredient} and {ingredient}.',
    'bake at {num} degrees for {num} minutes until golden.',
    'stir the {ingredient} into the {dish} and season with {ingredient}.',
    'melt the {ingredient} in a {dish}, then add {num} cups of {ingredient}.',
  ],
  [
    'shares of {company} rose {num} percent {time}.',
    '{company} reported a quarterly profit of {num} million.',
    'the central bank held rates at {num} percent as {company} fell.',
    'investors sold {company} {time} after a {adj} outlook.',
  ],
];

/** Sentences that belong to no topic, mixed into every passage. */
const fillers = [
  'more details will follow later.',
  'according to reports it was a busy day.',
  'as expected, people were pleased with the news.',
  'the full story is on page 2.',
  'readers can send comments to the editor.',
];

export interface SyntheticTextOptions {
  /** Number of sentences (balanced: label i mod 4, then shuffled). */
  count: number;
  /** Characters per example (default 64): a window of the passage at a random position; shorter text is padded with empty columns. */
  length?: number;
  seed?: number;
  /** Probability that a character is replaced by a random one (default 0.08). */
  typoRate?: number;
}

/** Fills a template's slots from the shared vocabularies. */
function fill(template: string, g: Generator): string {
  return template.replace(/\{(\w+)\}/g, (_, slot: string) => {
    if (slot === 'num') return String(1 + g.integer(99));
    const list = words[slot];
    return list[g.integer(list.length)];
  });
}

/**
 * One-hot encodes `text` into column i of a [vocab, length] block (row-major: channel v at v*length + i).
 *
 * @example
 * import { explain } from 'waldo';
 * const block = explain.encodeText('hi', 2); // [41, 2], row-major
 * block[7 * 2 + 0]; // 1: 'h' (channel 7) at position 0
 */
export function encodeText(text: string, length: number, out = new Float32Array(textVocabulary.length * length)): Float32Array {
  for (let i = 0; i < Math.min(text.length, length); i++) {
    const v = textVocabulary.indexOf(text[i]);
    if (v >= 0) out[v * length + i] = 1;
  }
  return out;
}

/**
 * Passages of four topics (weather reports, sports results, recipe steps, market news): two
 * sentences generated from the topic's templates with random words and numbers, plus one filler
 * sentence shared by all topics, of which a window of `length` characters at a random position is
 * kept; then typos (each character replaced by a random one with probability `typoRate`), and
 * one-hot encoding as [vocab, length]. Numbers, "degrees", "the", times of day and the fillers
 * appear in several topics, and a window can fall mostly on the filler, so some examples are
 * genuinely ambiguous. Returns the dataset and the raw (cut, noisy) texts.
 *
 * @example
 * import { explain } from 'waldo';
 * const { dataset, texts } = explain.syntheticText({ count: 400, seed: 1 }); // dataset.shape [41, 64]
 * texts[0]!.length; // 64
 */
export function syntheticText(options: SyntheticTextOptions): { dataset: ArrayDataset; texts: string[] } {
  const { count, length = 64, seed = 0, typoRate = 0.08 } = options;
  if (!Number.isInteger(count) || count < 1) throw new ShapeError(`syntheticText: count must be a positive integer, got ${count}`);
  if (!Number.isInteger(length) || length < 16) throw new ShapeError(`syntheticText: length must be an integer ≥ 16, got ${length}`);
  const g = new Generator(seed);
  const labels = new Int32Array(count);
  const order = g.permutation(count);
  for (let i = 0; i < count; i++) labels[order[i]] = i % textClasses.length;
  const v = textVocabulary.length;
  const inputs = new Float32Array(count * v * length);
  const texts: string[] = [];
  for (let n = 0; n < count; n++) {
    const options = templates[labels[n]];
    // Two sentences of the topic with a shared filler sentence before, between or after them.
    const parts = [fill(options[g.integer(options.length)], g), fill(options[g.integer(options.length)], g)];
    parts.splice(g.integer(3), 0, fillers[g.integer(fillers.length)]);
    const passage = parts.join(' ');
    const start = g.integer(Math.max(1, passage.length - length + 1));
    let text = passage.slice(start, start + length);
    text = [...text].map((ch) => (g.uniform() < typoRate ? textVocabulary[g.integer(textVocabulary.length)] : ch)).join('');
    texts.push(text);
    encodeText(text, length, inputs.subarray(n * v * length, (n + 1) * v * length));
  }
  return { dataset: new ArrayDataset(inputs, [v, length], labels, [...textClasses]), texts };
}

/**
 * A character-level Conv1d classifier over [vocab, L]: conv k5 (vocab → 32) → BN → ReLU → max pool 2
 * → conv k5 (32 → 48) → BN → ReLU → max pool 2 → global average pooling → 1×1 conv to the classes,
 * flattened to [N, numClasses]: 14,596 parameters for the default 41 characters and 4 classes.
 *
 * @example
 * import { explain, randn } from 'waldo';
 * const model = explain.charClassifier();
 * model.numParameters(); // 14,596
 * model.call(randn([2, 41, 64])).shape; // [2, 4]
 */
export function charClassifier(generator?: Generator, options: { numClasses?: number; vocabulary?: number } = {}): Sequential {
  const { numClasses = textClasses.length, vocabulary = textVocabulary.length } = options;
  const stage = (cin: number, cout: number, k: number): Module[] => [
    new Conv1d(cin, cout, k, { padding: (k - 1) / 2, bias: false, generator }), new BatchNorm1d(cout), new ReLU(), new MaxPool1d(2),
  ];
  return new Sequential({
    features: new Sequential(...stage(vocabulary, 32, 5), ...stage(32, 48, 5)),
    pool: new GlobalAvgPool1d(),
    classifier: new Sequential(new Conv1d(48, numClasses, 1, { generator }), new Flatten()),
  });
}
