/**
 * Copying a byte range of an open file into a Writable (a response) through a few reused
 * buffers. A stream from createReadStream allocates a fresh buffer per chunk: 50 MiB of
 * garbage per 50 MiB served, and the full collections that this much external memory sets
 * off cost as much CPU as the copy itself. A buffer is refilled only after the destination
 * has reported its previous contents written (the write callback), so no byte on its way out
 * is overwritten; the few buffers in flight are also the backpressure.
 */
import { close, read } from 'node:fs';
import type { Writable } from 'node:stream';

const CHUNK = 1024 * 1024;
const SLOTS = 3;

/**
 * Writes bytes `start`..`end` (inclusive) of `fd` into `destination`, ends it and closes
 * `fd`. Rejects when the file is shorter than `end` (truncated meanwhile), a read fails, or
 * the destination closes or fails first; the destination is then left to the caller.
 */
export async function copyFileRange(fd: number, start: number, end: number, destination: Writable): Promise<void> {
  let detach = () => undefined as void;
  // Writes to a connection that died can stay without callback: stop waiting when it closes.
  const gone = new Promise<never>((_resolve, reject) => {
    const onGone = () => reject(new Error('the destination closed before the copy ended'));
    destination.once('close', onGone).once('error', onGone);
    detach = () => void destination.off('close', onGone).off('error', onGone);
  });
  gone.catch(() => undefined);
  try {
    const length = end - start + 1;
    const size = Math.min(CHUNK, Math.max(length, 0));
    const buffers: Buffer[] = [];
    const written: (Promise<void> | undefined)[] = [];
    let position = start;
    for (let slot = 0; position <= end; slot = (slot + 1) % SLOTS) {
      const pending = written[slot];
      if (pending) await Promise.race([pending, gone]);
      const buffer = (buffers[slot] ??= Buffer.allocUnsafeSlow(size));
      // Not raced with `gone`: the file is closed only once no read is in flight on it.
      const bytes = await readAt(fd, buffer, Math.min(buffer.length, end - position + 1), position);
      if (bytes === 0) throw new Error(`the file ended at ${position}, before ${end + 1}`);
      if (destination.destroyed) throw new Error('the destination closed before the copy ended');
      position += bytes;
      const chunk = bytes === buffer.length ? buffer : buffer.subarray(0, bytes);
      const write = new Promise<void>(
        (resolve, reject) => void destination.write(chunk, (error) => (error ? reject(error) : resolve())),
      );
      // Awaited in turn (or given up on when the destination goes): never an unhandled rejection.
      write.catch(() => undefined);
      written[slot] = write;
    }
    await Promise.race([Promise.all(written), gone]);
    await Promise.race([new Promise<void>((resolve) => destination.end(resolve)), gone]);
  } finally {
    detach();
    close(fd, () => undefined);
  }
}

function readAt(fd: number, buffer: Buffer, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) =>
    read(fd, buffer, 0, length, position, (error, bytes) => (error ? reject(error) : resolve(bytes))),
  );
}
