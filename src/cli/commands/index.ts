import type { Command } from '../command.js';
import { evalCommand } from './evaluate.js';
import { exportCommand } from './export.js';
import { importCommand } from './import.js';
import { findCommand } from './find.js';
import { predictCommand } from './predict.js';
import { summaryCommand } from './summary.js';
import { showCommand } from './show.js';
import { compareCommand } from './compare.js';
import { equivarianceCommand } from './equivariance.js';
import { scanningCommand } from './scanning.js';
import { trainCommand } from './train.js';
import { signalsCommand } from './signals.js';

/** Every `waldo` subcommand, in the order `waldo --help` lists them. */
export const commands: Command[] = [trainCommand, evalCommand, predictCommand, summaryCommand, showCommand, compareCommand, equivarianceCommand, scanningCommand, signalsCommand, findCommand, exportCommand, importCommand];
