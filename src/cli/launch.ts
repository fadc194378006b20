#!/usr/bin/env node
/**
 * The `waldo` executable: runs the command here, or, for training and evaluation, in a child Node
 * process with V8's collector on its main thread (collectorFlag.ts says why). The child shares this
 * terminal; its exit code, or the signal that ended it, becomes this process's.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { relaunchArguments } from './collectorFlag.js';

const main = fileURLToPath(new URL('./main.js', import.meta.url));
const nodeArgs = relaunchArguments(process.execArgv, main, process.argv.slice(2), process.env);

if (nodeArgs === null) {
  await import('./main.js');
} else {
  // Ctrl-C reaches the child from the terminal too; a signal sent to this process alone is passed
  // on. The handlers go in first, so no signal can end this process while its child runs on.
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  let child: ChildProcess | undefined;
  const forward = (signal: NodeJS.Signals) => { child?.kill(signal); };
  for (const signal of signals) process.on(signal, forward);
  child = spawn(process.execPath, nodeArgs, { stdio: 'inherit' });
  child.on('error', (error) => {
    process.stderr.write(`waldo: could not start ${process.execPath}: ${error.message}\n`);
    process.exitCode = 70;
  });
  child.on('exit', (code, signal) => {
    for (const s of signals) process.off(s, forward);
    if (signal !== null) process.kill(process.pid, signal);
    else process.exitCode = code ?? 1;
  });
}
