import { type CommandSpec, type ParsedArgs, formatHelp, parseCommand } from './args.js';

/** A subcommand: its options and what it does; `run` returns the exit code. */
export interface Command {
  spec: CommandSpec;
  run(argv: string[]): Promise<number>;
}

/** Builds a Command whose --help prints the spec and whose options are parsed before `action` runs. */
export function defineCommand(spec: CommandSpec, action: (args: ParsedArgs) => Promise<number> | number): Command {
  return {
    spec,
    async run(argv) {
      const args = parseCommand(spec, argv);
      if (args.values.help === true) {
        process.stdout.write(formatHelp(spec) + '\n');
        return 0;
      }
      return action(args);
    },
  };
}
