/** actions/cache@v4's inputs and state names, shared by its main (restore) and post (save) steps. */
import * as core from '@actions/core';
import { inputFlag } from '../../shared/input-flags.js';

/** State the main step leaves for the post step (upstream's names). */
export const PRIMARY_KEY_STATE = 'CACHE_KEY';
export const MATCHED_KEY_STATE = 'CACHE_RESULT';

/** A multi-line input: one entry a line, trimmed, empty lines dropped. */
export function listInput(name: string, required = false): string[] {
  return core
    .getInput(name, { required })
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

export const crossOs = (): boolean => inputFlag('enableCrossOsArchive');
