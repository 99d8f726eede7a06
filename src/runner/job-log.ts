/**
 * One job's log: every line is masked, timestamped, appended to the job's log file and emitted
 * to the run's watchers, in that order. Nothing reaches the file or a watcher unmasked.
 */
import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../store/private-files.js';
import type { Clock } from '../core/clock.js';
import type { Masker } from './masker.js';
import type { RunEvent } from './types.js';

export class JobLog {
  private fd: number | undefined;
  /** Bytes in the file: where the next line begins (a step's lines are a byte range of the file). */
  private bytes: number;
  /** The step whose lines are being written, told to watchers with each line. */
  private step: number | undefined;

  constructor(
    readonly file: string,
    private readonly masker: Masker,
    private readonly clock: Clock,
    private readonly emit: (event: RunEvent) => void,
    private readonly ids: { runId: number; jobId: number; job: string },
  ) {
    makePrivateDir(dirname(file));
    this.fd = openSync(file, 'a', PRIVATE_FILE_MODE);
    this.bytes = fstatSync(this.fd).size;
  }

  /** The lines that follow are step `number`'s; returns where they begin in the file. */
  beginStep(number: number): number {
    this.step = number;
    return this.bytes;
  }

  /** Step `number` has ended; returns where its lines end in the file. */
  endStep(number: number): number {
    if (this.step === number) this.step = undefined;
    return this.bytes;
  }

  /** Writes one or more lines (a value with newlines is split, so each line is masked and stamped). */
  write(text: string): void {
    for (const raw of text.split(/\r?\n/)) {
      const line = this.masker.mask(raw);
      const time = this.clock.now().toISOString();
      if (this.fd !== undefined) this.bytes += writeSync(this.fd, `${time} ${line}\n`);
      this.emit({
        type: 'log',
        runId: this.ids.runId,
        jobId: this.ids.jobId,
        job: this.ids.job,
        time,
        line,
        ...(this.step === undefined ? {} : { step: this.step }),
      });
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
