/** Messages between the page (main.ts) and the worker (worker.ts) that runs waldo. */

/** An RGB picture from waldo's viz module: width·height·3 bytes, row-major. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export type Request =
  | { type: 'init'; digitsUrl: string }
  | { type: 'train'; steps: number; batchSize: number; lr: number }
  | { type: 'stop' }
  | { type: 'reset' }
  | { type: 'predict'; id: number; pixels: Float32Array; dx: number; dy: number }
  | { type: 'waldo'; trainSteps: number; sceneSeed: number; size: number }
  | { type: 'dense'; id: number; inChannels: number; outChannels: number; kernel: number; height: number; width: number; padding: number };

export type Reply =
  | { type: 'ready'; backend: string; relaxedSimd: boolean; crossOriginIsolated: boolean; threads: number; trainSize: number; testSize: number; parameters: number; filters: RgbImage }
  | { type: 'progress'; done: number; total: number; step: number; loss: number; batchAccuracy: number; stepsPerSecond: number }
  | { type: 'charts'; step: number; loss: RgbImage; accuracy: RgbImage; testAccuracy: number | null; filters: RgbImage }
  | { type: 'trainDone'; step: number; stopped: boolean }
  | { type: 'prediction'; id: number; probabilities: number[]; predicted: number; input: RgbImage; filters: RgbImage; maps1: RgbImage; maps2: RgbImage }
  | { type: 'waldoProgress'; step: number; total: number; loss: number }
  | { type: 'waldoResult'; scene: RgbImage; heatmap: RgbImage; present: boolean; probability: number; x: number; y: number; truth: { x: number; y: number } | null; mapWidth: number; mapHeight: number }
  | { type: 'dense'; id: number; convParameters: number; denseParameters: number; ratio: number; inputSize: number; outputSize: number; outputShape: number[] }
  | { type: 'error'; message: string };
