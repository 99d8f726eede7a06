/**
 * The blobs' bytes in the data directory, written the way Azure commits a block blob: staged
 * blocks (Put Block) become the blob only when a block list names them (Put Block List), or a
 * whole blob arrives at once (Put Blob). Every file appears by rename from a temporary file in
 * the same directory, so a reader (and a restart after kill -9) sees a whole blob or none.
 *
 *   <root>/blocks/<blob id>/<hex of the block id>   staged blocks
 *   <root>/blobs/<blob id>                          committed blobs
 */
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
  openSync,
  closeSync,
  fsyncSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Thrown when a body is longer than its bound. */
export class TooLarge extends Error {}

export class BlobFiles {
  constructor(private readonly root: string) {
    mkdirSync(join(root, 'blobs'), { recursive: true, mode: 0o700 });
    mkdirSync(join(root, 'blocks'), { recursive: true, mode: 0o700 });
  }

  blobPath(blobId: string): string {
    return join(this.root, 'blobs', blobId);
  }

  /** The committed blob's size, or undefined. */
  size(blobId: string): number | undefined {
    try {
      return statSync(this.blobPath(blobId)).size;
    } catch {
      return undefined;
    }
  }

  /** Stages one block (a later block with the same id replaces it, as in Azure). */
  async putBlock(blobId: string, blockId: Buffer, body: Readable, maxBytes: number): Promise<number> {
    const dir = join(this.root, 'blocks', blobId);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return this.writeAtomically(join(dir, blockId.toString('hex')), body, maxBytes);
  }

  /** Whether the block is staged. */
  hasBlock(blobId: string, blockId: Buffer): boolean {
    return existsSync(join(this.root, 'blocks', blobId, blockId.toString('hex')));
  }

  /** Writes a whole blob (Put Blob); staged blocks are dropped, as a Put Blob does. */
  async putBlob(blobId: string, body: Readable, maxBytes: number): Promise<number> {
    const size = await this.writeAtomically(this.blobPath(blobId), body, maxBytes);
    this.dropBlocks(blobId);
    return size;
  }

  /** Concatenates staged blocks in order into the blob (Put Block List); the blocks go. */
  async commitBlocks(blobId: string, blockIds: Buffer[], maxBytes: number): Promise<number> {
    const dir = join(this.root, 'blocks', blobId);
    const target = this.blobPath(blobId);
    const temp = join(this.root, 'blobs', `.${randomBytes(6).toString('hex')}.tmp`);
    let total = 0;
    for (const id of blockIds) total += statSync(join(dir, id.toString('hex'))).size;
    if (total > maxBytes) throw new TooLarge(`the blob would be ${total} bytes, over ${maxBytes}`);
    const out = await open(temp, 'w', 0o600);
    try {
      for (const id of blockIds) {
        const input = await open(join(dir, id.toString('hex')), 'r');
        try {
          for await (const chunk of input.createReadStream({ autoClose: false })) await out.write(chunk as Buffer);
        } finally {
          await input.close();
        }
      }
      await out.sync();
    } catch (error) {
      await out.close();
      rmSync(temp, { force: true });
      throw error;
    }
    await out.close();
    renameSync(temp, target);
    this.dropBlocks(blobId);
    return total;
  }

  /** Removes a blob and anything staged for it. */
  remove(blobId: string): void {
    rmSync(this.blobPath(blobId), { force: true });
    this.dropBlocks(blobId);
  }

  private dropBlocks(blobId: string): void {
    rmSync(join(this.root, 'blocks', blobId), { recursive: true, force: true });
  }

  private async writeAtomically(target: string, body: Readable, maxBytes: number): Promise<number> {
    const temp = join(target, '..', `.${randomBytes(6).toString('hex')}.tmp`);
    let size = 0;
    const bound = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (size > maxBytes) done(new TooLarge(`the body is over ${maxBytes} bytes`));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(body, bound, createWriteStream(temp, { mode: 0o600 }));
      const fd = openSync(temp, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, target);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
    return size;
  }
}
