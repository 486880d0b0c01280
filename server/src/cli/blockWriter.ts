// Gathers the many small chunks `check` produces (one per file) into blocks for stdout: each
// write to a stream costs tens of microseconds whatever its size, more than formatting a file.
/** Bytes (UTF-16 units) gathered before a block goes out: large enough to amortise a write, small enough to stream. */
export const BLOCK_SIZE = 64 * 1024;

export class BlockWriter {
  private pending: string[] = [];
  private pendingLength = 0;

  constructor(
    private readonly out: (block: string) => void,
    private readonly blockSize = BLOCK_SIZE,
  ) {}

  write(chunk: string): void {
    if (chunk.length === 0) return;
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    if (this.pendingLength >= this.blockSize) this.flush();
  }

  /** Writes out whatever is gathered; the run's end, and an error's, must call it. */
  flush(): void {
    if (this.pendingLength === 0) return;
    const block = this.pending.join('');
    this.pending = [];
    this.pendingLength = 0;
    this.out(block);
  }
}
