import { parseArgs } from 'node:util';

/** A mistake in how the command was called: printed as one line with the usage hint, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  default?: string | boolean;
  /** One line for --help, e.g. "learning rate (default 0.001)". */
  help: string;
  /** Placeholder shown in help for string options. */
  value?: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  options: Record<string, OptionSpec>;
  /** Names of positional arguments (shown in help). */
  positionals?: string;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Parses argv for one command, turning every parser complaint into a UsageError naming the command. */
export function parseCommand(spec: CommandSpec, argv: string[]): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; default?: string | boolean }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, o] of Object.entries(spec.options)) {
    // parseArgs rejects keys that are present but undefined, so only copy what is set.
    options[name] = { type: o.type, ...(o.short === undefined ? {} : { short: o.short }), ...(o.default === undefined ? {} : { default: o.default }) };
  }
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (error) {
    throw new UsageError(`waldo ${spec.name}: ${(error as Error).message.split('\n')[0]} (see 'waldo ${spec.name} --help')`);
  }
}

export function formatHelp(spec: CommandSpec): string {
  const lines = [`${spec.summary}`, '', `Usage: ${spec.usage}`, '', 'Options:'];
  const entries = Object.entries(spec.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    return [flag, o.help] as const;
  });
  entries.push(['-h, --help', 'show this help']);
  const width = Math.max(...entries.map(([f]) => f.length)) + 2;
  for (const [flag, help] of entries) lines.push(`  ${flag.padEnd(width)}${help}`);
  return lines.join('\n');
}

/** Reads a numeric option, with a UsageError naming the option when it is not a number in range. */
export function numberOption(args: ParsedArgs, name: string, command: string, { integer = false, min = -Infinity } = {}): number | undefined {
  const raw = args.values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min) {
    throw new UsageError(`waldo ${command}: --${name} must be ${integer ? 'an integer' : 'a number'}${min > -Infinity ? ` ≥ ${min}` : ''}, got '${String(raw)}'`);
  }
  return value;
}
