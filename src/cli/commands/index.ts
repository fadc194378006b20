import type { Command } from '../command.js';
import { evalCommand } from './evaluate.js';
import { predictCommand } from './predict.js';
import { summaryCommand } from './summary.js';
import { trainCommand } from './train.js';

/** Every `waldo` subcommand, in the order `waldo --help` lists them. */
export const commands: Command[] = [trainCommand, evalCommand, predictCommand, summaryCommand];
