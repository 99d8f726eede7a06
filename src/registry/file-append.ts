/**
 * Appending a request body to a file in few, large writes. Socket chunks (64 KiB) are gathered
 * and written with one writev per WRITE_BATCH bytes: a 50 MiB layer then costs ~50 system
 * calls and thread-pool round trips instead of ~800 (a write per chunk was, after hashing,
 * the largest CPU cost of an upload). One batch is written while the next one gathers; when
 * that one is full too, the body is paused, and with it the socket (backpressure), so at most
 * two batches are held in memory. A client that pauses mid-body finds its bytes on disk
 * after IDLE_FLUSH_MS.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';

/** Bytes gathered per file write. */
const WRITE_BATCH = 1024 * 1024;
/** A partial batch is written once the body has been quiet this long. */
const IDLE_FLUSH_MS = 5;

/**
 * Appends `body` to the file at `path`; `inspect` sees every chunk before it is kept and may
 * throw to refuse the body. Resolves once every byte is written. Rejects when the body breaks
 * off, `inspect` throws or a write fails, after destroying the body (as `pipeline` would: an
 * unread body cannot be answered on its connection) and after any write in flight ended, so
 * the caller may truncate the file at once.
 */
export async function appendToFile(path: string, body: Readable, inspect: (chunk: Buffer) => void): Promise<void> {
  const file = await open(path, 'a');
  let writes: Promise<void> = Promise.resolve();
  try {
    await new Promise<void>((resolve, reject) => {
      let batch: Buffer[] = [];
      let batched = 0;
      let writing = false;
      let ended = false;
      let settled = false;
      const idle = setTimeout(() => (writing ? idle.refresh() : flush()), IDLE_FLUSH_MS);
      const settle = (error?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(idle);
        body.off('data', onData).off('end', onEnd).off('error', settle).off('close', onClose);
        if (error === undefined) return resolve();
        body.destroy();
        reject(error);
      };
      const flush = () => {
        if (writing || settled) return;
        if (batch.length === 0) {
          if (ended) settle();
          return;
        }
        const buffers = batch;
        batch = [];
        batched = 0;
        writing = true;
        writes = writeAll(file, buffers).then(
          () => {
            writing = false;
            if (batched >= WRITE_BATCH || ended) flush();
            if (!settled && body.isPaused()) body.resume();
          },
          (error: unknown) => {
            writing = false;
            settle(error);
          },
        );
      };
      const onData = (chunk: Buffer) => {
        try {
          inspect(chunk);
        } catch (error) {
          return settle(error);
        }
        batch.push(chunk);
        batched += chunk.length;
        idle.refresh();
        if (batched < WRITE_BATCH) return;
        if (writing) body.pause();
        else flush();
      };
      const onEnd = () => {
        ended = true;
        flush();
      };
      const onClose = () => {
        if (!ended) settle(new Error('the body broke off'));
      };
      body.on('data', onData).on('end', onEnd).on('error', settle).on('close', onClose);
      // It may have broken off while the file was being opened.
      if (body.destroyed && !body.readableEnded) onClose();
    });
  } finally {
    await writes;
    await file.close();
  }
}

/** writev until every byte is written (a regular file may take fewer at once). */
async function writeAll(file: FileHandle, buffers: Buffer[]): Promise<void> {
  const rest = buffers;
  while (rest.length > 0) {
    let { bytesWritten } = await file.writev(rest);
    if (bytesWritten === 0) throw new Error('the file took no bytes');
    while (rest.length > 0 && bytesWritten >= (rest[0] as Buffer).length)
      bytesWritten -= (rest.shift() as Buffer).length;
    if (bytesWritten > 0) rest[0] = (rest[0] as Buffer).subarray(bytesWritten);
  }
}
