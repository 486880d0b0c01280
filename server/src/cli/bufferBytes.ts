// A Buffer's bytes as a plain Uint8Array view (no copy): with @types/node 20 and this TypeScript's
// lib, a Buffer no longer passes where a Uint8Array is asked for (hashes, file and stream writes).
export function bytesOf(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
