// A peer library (tfjs, ONNX Runtime Web or convnetjs) in a Node process of its own, driven by
// bench/run.ts over IPC (remotePeer.ts). Each library gets a process with only itself loaded, as in
// an application: in one shared process, the peers' heaps made V8's collector mark far more, on
// helper threads that took the second core from waldo's worker (waldo ×2 on S6, 1 × 1 64 → 128
// over 56², spent 1.26 ms in its kernel with tfjs loaded, 0.63 ms without).
//
// Requests are { id, op, … }; every reply is { id, value } or { id, error }. Runners (timing.ts)
// stay here under a handle; the parent asks for timed blocks of calls, so IPC never enters a timing.
//
//   node dist/bench/peerHost.js tfjs|ort|convnet     (forked by remotePeer.ts, not run by hand)
import type { Sequential } from '../src/nn/index.js';
import { primeNativeHeap } from '../src/tensor/nativeHeap.js';
import { convData, convShapes } from './shapes.js';
import { type Runner, type TimingOptions, timeSync } from './timing.js';

type Lib = 'tfjs' | 'ort' | 'convnet';
export type PeerRequest =
  | { id: number; op: 'version' }
  /** Calls the peer's method with `args`, where a { shape: id } argument becomes that shape and a { data: id } its inputs. */
  | { id: number; op: 'call'; method: string; args: unknown[] }
  /** Calls a method of an object an earlier call returned (held under `handle`). */
  | { id: number; op: 'callOn'; handle: number; method: string; args: unknown[] }
  /** Runs `calls` calls of a held runner back to back; the reply is their wall time in ms. */
  | { id: number; op: 'block'; handle: number; calls: number }
  /** timeSync of a held runner's run. */
  | { id: number; op: 'time'; handle: number; options: TimingOptions }
  | { id: number; op: 'result'; handle: number }
  | { id: number; op: 'dispose'; handle: number };
export type PeerReply = { id: number; value?: unknown; handle?: number; error?: string };

/** A state dict sent as plain { name: { shape, data } }, with the one method the peers read of a model. */
export type PlainStateDict = Record<string, { shape: number[]; data: Float32Array }>;

const lib = process.argv[2] as Lib;
const held = new Map<number, unknown>();
let nextHandle = 1;

async function loadPeer(): Promise<Record<string, unknown>> {
  if (lib === 'tfjs') return (await import('./peers/tfjs.js')).createTfjsPeer();
  if (lib === 'ort') return (await import('./peers/onnxruntime.js')).createOrtPeer() as unknown as Record<string, unknown>;
  if (lib === 'convnet') return { version: '', ...(await import('./peers/convnet.js')) };
  throw new Error(`peerHost: unknown library '${lib}'`);
}

/** Shapes travel by id, models as plain state dicts: both are rebuilt here. */
function revive(arg: unknown): unknown {
  if (typeof arg !== 'object' || arg === null) return arg;
  const a = arg as { shape?: string; data?: string; stateDict?: PlainStateDict };
  if (typeof a.shape === 'string') return shapeById(a.shape);
  if (typeof a.data === 'string') return convData(shapeById(a.data));
  if (a.stateDict !== undefined) return modelOf(a.stateDict);
  return arg;
}

function shapeById(id: string) {
  const s = convShapes.find((c) => c.id === id);
  if (s === undefined) throw new Error(`peerHost: no shape ${id}`);
  return s;
}

function modelOf(plain: PlainStateDict): Sequential {
  const dict = new Map(Object.entries(plain));
  return { stateDict: () => dict } as unknown as Sequential;
}

function runnerOf(handle: number): Runner<unknown> {
  const r = held.get(handle) as Runner<unknown> | undefined;
  if (r === undefined) throw new Error(`peerHost: no runner ${handle}`);
  return r;
}

/** Keeps objects with methods (runners, models) here and answers with a handle; plain values travel. */
function reply(id: number, value: unknown): PeerReply {
  if (typeof value === 'object' && value !== null && Object.values(value).some((v) => typeof v === 'function')) {
    const handle = nextHandle++;
    held.set(handle, value);
    return { id, handle };
  }
  return { id, value };
}

async function answer(peer: Record<string, unknown>, m: PeerRequest): Promise<PeerReply> {
  switch (m.op) {
    case 'version': return { id: m.id, value: peer.version };
    case 'call': return reply(m.id, await (peer[m.method] as (...a: unknown[]) => unknown)(...m.args.map(revive)));
    case 'callOn': {
      const target = held.get(m.handle) as Record<string, (...a: unknown[]) => unknown>;
      return reply(m.id, await target[m.method]!(...m.args.map(revive)));
    }
    case 'block': {
      const r = runnerOf(m.handle);
      const t0 = performance.now();
      for (let i = 0; i < m.calls; i++) r.run();
      return { id: m.id, value: performance.now() - t0 };
    }
    case 'time': return { id: m.id, value: timeSync(runnerOf(m.handle).run, m.options) };
    case 'result': return { id: m.id, value: runnerOf(m.handle).result() };
    case 'dispose': {
      runnerOf(m.handle).dispose?.();
      held.delete(m.handle);
      return { id: m.id, value: null };
    }
  }
}

// glibc primed as in waldo's process (nativeHeap.ts), so that no contender's outputs fault their pages in afresh.
primeNativeHeap(0);
const peer = loadPeer();
// Requests come one at a time (the parent awaits each reply), so replies cannot overtake each other.
process.on('message', (m: PeerRequest) => {
  void (async () => {
    let out: PeerReply;
    try {
      out = await answer(await peer, m);
    } catch (e) {
      out = { id: m.id, error: (e instanceof Error ? e.message : String(e)).split('\n')[0]! };
    }
    process.send!(out);
  })();
});
process.on('disconnect', () => process.exit(0));
