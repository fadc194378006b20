// The parent's side of peerHost.ts: a peer library in a child process, called one request at a time.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PeerReply, PeerRequest, PlainStateDict } from './peerHost.js';
import type { Sequential } from '../src/nn/index.js';
import type { Timing, TimingOptions } from './timing.js';

/** Omit applied to each member of a union (a plain Omit would merge the members into one type). */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
/** A request as callers write it; send() numbers it. */
type Request = WithoutId<PeerRequest>;

/** A runner held by the child: blocks of calls timed there, its last result fetched on request. */
export interface RemoteRunner<T> {
  /** Runs `calls` calls back to back in the child; their wall time in ms, measured there. */
  block(calls: number): Promise<number>;
  time(options: TimingOptions): Promise<Timing>;
  result(): Promise<T>;
  dispose(): Promise<void>;
}

export interface RemotePeer {
  readonly version: string;
  /** Calls the peer's method; a returned object with methods stays in the child (see `held`). */
  call<T>(method: string, ...args: unknown[]): Promise<T>;
  /** Like call, for a method whose result is a runner or another object kept in the child. */
  held(method: string, ...args: unknown[]): Promise<number>;
  heldOn(handle: number, method: string, ...args: unknown[]): Promise<number>;
  callOn<T>(handle: number, method: string, ...args: unknown[]): Promise<T>;
  runner<T>(handle: number): RemoteRunner<T>;
  close(): void;
}

/** Arguments the child rebuilds itself: a benchmark shape, its inputs, a model's weights. */
export const shapeArg = (id: string) => ({ shape: id });
export const dataArg = (id: string) => ({ data: id });
export function modelArg(model: Sequential): { stateDict: PlainStateDict } {
  const plain: PlainStateDict = {};
  for (const [name, t] of model.stateDict()) plain[name] = { shape: [...t.shape], data: t.data as Float32Array };
  return { stateDict: plain };
}

export async function startPeer(lib: 'tfjs' | 'ort' | 'convnet'): Promise<RemotePeer> {
  const script = fileURLToPath(new URL('./peerHost.js', import.meta.url));
  // V8's defaults, as every contender gets; typed arrays and Maps travel by structured clone.
  const child: ChildProcess = fork(script, [lib], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: [] });
  let nextId = 1;
  const waiting = new Map<number, { resolve: (r: PeerReply) => void; reject: (e: Error) => void }>();
  child.on('message', (r: PeerReply) => {
    const w = waiting.get(r.id);
    waiting.delete(r.id);
    w?.resolve(r);
  });
  child.on('exit', (code, signal) => {
    for (const w of waiting.values()) w.reject(new Error(`${lib} process ended (${signal ?? `exit ${code}`})`));
    waiting.clear();
  });

  async function send(req: Request): Promise<PeerReply> {
    const id = nextId++;
    const reply = await new Promise<PeerReply>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      child.send({ ...req, id });
    });
    if (reply.error !== undefined) throw new Error(reply.error);
    return reply;
  }
  const handleOf = (r: PeerReply): number => {
    if (r.handle === undefined) throw new Error(`${lib}: expected an object kept in the child`);
    return r.handle;
  };

  const version = (await send({ op: 'version' })).value as string;
  return {
    version,
    call: async <T>(method: string, ...args: unknown[]) => (await send({ op: 'call', method, args })).value as T,
    held: async (method, ...args) => handleOf(await send({ op: 'call', method, args })),
    heldOn: async (handle, method, ...args) => handleOf(await send({ op: 'callOn', handle, method, args })),
    callOn: async <T>(handle: number, method: string, ...args: unknown[]) => (await send({ op: 'callOn', handle, method, args })).value as T,
    runner: <T>(handle: number): RemoteRunner<T> => ({
      block: async (calls) => (await send({ op: 'block', handle, calls })).value as number,
      time: async (options) => (await send({ op: 'time', handle, options })).value as Timing,
      result: async () => (await send({ op: 'result', handle })).value as T,
      dispose: async () => { await send({ op: 'dispose', handle }); },
    }),
    close: () => { child.disconnect(); },
  };
}
