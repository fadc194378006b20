#!/usr/bin/env node
/**
 * The `waldo` command. Each subcommand lives in its own module under commands/; a user's mistake
 * (bad option, missing or corrupt file, a model that cannot fit the data) prints one line and exits
 * with a non-zero code, never a stack trace.
 */
import { UsageError } from './args.js';
import { commands } from './commands/index.js';
import { FormatError, ShapeError, ValueError } from '../errors.js';
// Registers the WebAssembly backend, the default wherever it loads.
import '../backend/wasm/index.js';

function topLevelHelp(): string {
  const width = Math.max(...commands.map((c) => c.spec.name.length)) + 2;
  return [
    'waldo: convolutional neural networks in TypeScript',
    '',
    'Usage: waldo <command> [options]   (waldo <command> --help for its options)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.spec.name.padEnd(width)}${c.spec.summary}`),
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(topLevelHelp() + '\n');
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.spec.name === name);
  if (command === undefined) throw new UsageError(`waldo: unknown command '${name}'; commands: ${commands.map((c) => c.spec.name).join(', ')}`);
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const known = error instanceof UsageError || error instanceof FormatError || error instanceof ShapeError || error instanceof ValueError;
    if (known || (error instanceof Error && error.name === 'NonFiniteLossError')) {
      process.stderr.write(`${(error as Error).name === 'UsageError' ? '' : (error as Error).name + ': '}${(error as Error).message}\n`);
      process.exitCode = error instanceof UsageError ? 2 : 1;
    } else {
      process.stderr.write(`waldo: internal error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 70;
    }
  },
);
