/**
 * One job's log: every line is masked, timestamped, appended to the job's log file and emitted
 * to the run's watchers, in that order. Nothing reaches the file or a watcher unmasked.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../store/private-files.js';
import type { Clock } from '../core/clock.js';
import type { Masker } from './masker.js';
import type { RunEvent } from './types.js';

export class JobLog {
  private fd: number | undefined;

  constructor(
    readonly file: string,
    private readonly masker: Masker,
    private readonly clock: Clock,
    private readonly emit: (event: RunEvent) => void,
    private readonly ids: { runId: number; jobId: number; job: string },
  ) {
    makePrivateDir(dirname(file));
    this.fd = openSync(file, 'a', PRIVATE_FILE_MODE);
  }

  /** Writes one or more lines (a value with newlines is split, so each line is masked and stamped). */
  write(text: string): void {
    for (const raw of text.split(/\r?\n/)) {
      const line = this.masker.mask(raw);
      const time = this.clock.now().toISOString();
      if (this.fd !== undefined) writeSync(this.fd, `${time} ${line}\n`);
      this.emit({ type: 'log', runId: this.ids.runId, jobId: this.ids.jobId, job: this.ids.job, time, line });
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
