// Gathers the many small chunks `check` produces (one per file) into blocks for stdout: each
// write to a stream costs tens of microseconds whatever its size, more than formatting a file.
// A chunk is encoded into the block's bytes as it comes, not kept as a string: strings kept
// until a block filled up outlived two of V8's young-generation collections and were promoted,
// a third of what a run promoted per file (docs/decisions.md).
import { bytesOf } from './bufferBytes';

/**
 * Bytes a block holds before it goes out (a chunk larger than a block goes out alone): large
 * enough to amortise a write, small enough to stream.
 */
export const BLOCK_SIZE = 64 * 1024;

export class BlockWriter {
  private block: Buffer;
  private used = 0;
  /** A high surrogate that ended the last chunk: encoded alone it would not be the character the pair is. */
  private carried = '';

  constructor(
    private readonly out: (block: Uint8Array) => void,
    private readonly blockSize = BLOCK_SIZE,
  ) {
    this.block = Buffer.allocUnsafe(blockSize);
  }

  write(chunk: string): void {
    if (this.carried) {
      chunk = this.carried + chunk;
      this.carried = '';
    }
    const last = chunk.charCodeAt(chunk.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      this.carried = chunk.slice(-1);
      chunk = chunk.slice(0, -1);
    }
    this.append(chunk);
  }

  /** Writes out whatever is gathered; the run's end, and an error's, must call it. */
  flush(): void {
    // Text that ends inside a pair is written as it is, as a joined string would have been.
    this.append(this.carried);
    this.carried = '';
    this.flushBlock();
  }

  private append(chunk: string): void {
    if (chunk.length === 0) return;
    const bytes = Buffer.byteLength(chunk, 'utf8');
    if (this.used + bytes > this.block.length) {
      this.flushBlock();
      if (bytes > this.block.length) {
        this.out(bytesOf(Buffer.from(chunk, 'utf8')));
        return;
      }
    }
    this.used += this.block.write(chunk, this.used, 'utf8');
  }

  private flushBlock(): void {
    if (this.used === 0) return;
    // A fresh block for what follows: the stream may still hold this one (a pipe writes later).
    const full = this.block.subarray(0, this.used);
    this.block = Buffer.allocUnsafe(this.blockSize);
    this.used = 0;
    this.out(bytesOf(full));
  }
}
