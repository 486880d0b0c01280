// The JSON encoding of the server's outgoing messages over stdio (stdioMessageWriter.ts). It
// differs from vscode-jsonrpc's `Buffer.from(JSON.stringify(message))` in one way: an object registered
// with `encodeOnceAndReuse` (an immutable diagnostic carried over from one analysis to the
// next) is serialized and UTF-8 encoded once, and its bytes are stitched into every later
// message that carries it. On a keystroke the pull answer is mostly such diagnostics (117 KB
// for the 3,000-line bench file), and encoding it whole cost ~1.5 ms per edit: one character
// above U+00FF (an ellipsis in a related message) makes V8 hold the whole JSON text as a
// two-byte string, whose UTF-8 conversion runs ~30x slower than that of a one-byte string.
import { randomBytes } from 'node:crypto';
import type { Message } from 'vscode-languageserver/node';

/** Objects whose bytes may be reused; each is deeply frozen, so its JSON cannot change. */
const reusable = new WeakSet<object>();
const encoded = new WeakMap<object, Uint8Array>();
const utf8 = new TextEncoder();

/**
 * Marks a value as never changing again (it is deeply frozen here) so that its encoding is
 * computed once. Returns the value.
 */
export function encodeOnceAndReuse<T extends object>(value: T): T {
  deepFreeze(value);
  reusable.add(value);
  return value;
}

function deepFreeze(value: object): void {
  if (Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const member of Object.values(value)) if (member !== null && typeof member === 'object') deepFreeze(member);
}

/** The bytes of a reusable value, computed on first use. */
function bytesOf(value: object): Uint8Array {
  let bytes = encoded.get(value);
  if (!bytes) {
    bytes = utf8.encode(JSON.stringify(value));
    encoded.set(value, bytes);
  }
  return bytes;
}

/**
 * Stands for a reused value in the JSON text until its bytes are put in. The nonce keeps any
 * string of the message from reading as a placeholder. JSON.stringify writes the NUL as \u0000.
 */
const PLACEHOLDER = `\u0000symmetry-lint-encoded:${randomBytes(8).toString('hex')}`;
const PLACEHOLDER_JSON = JSON.stringify(PLACEHOLDER);

/**
 * The message as UTF-8 JSON in pieces, to be written one after the other: the UTF-8 of
 * JSON.stringify(message), byte for byte.
 */
export function encodeJsonMessagePieces(message: Message): Uint8Array[] {
  const reused: Uint8Array[] = [];
  const json = JSON.stringify(message, (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && reusable.has(value)) {
      reused.push(bytesOf(value));
      return PLACEHOLDER;
    }
    return value;
  });
  if (reused.length === 0) return [utf8.encode(json)];
  const between = json.split(PLACEHOLDER_JSON);
  // Cannot happen (the nonce); if it did, the plain encoding is still right.
  if (between.length !== reused.length + 1) return [utf8.encode(JSON.stringify(message))];
  const pieces: Uint8Array[] = [utf8.encode(between[0])];
  for (let i = 0; i < reused.length; i++) pieces.push(reused[i], utf8.encode(between[i + 1]));
  return pieces;
}

/** The pieces one after the other in one array, after `prefix` bytes left for the caller. */
export function joinPieces(pieces: readonly Uint8Array[], prefix = 0): Uint8Array {
  let length = prefix;
  for (const piece of pieces) length += piece.length;
  const bytes = new Uint8Array(length);
  let offset = prefix;
  for (const piece of pieces) {
    bytes.set(piece, offset);
    offset += piece.length;
  }
  return bytes;
}

/** The message as UTF-8 JSON: the UTF-8 of JSON.stringify(message), byte for byte. */
export function encodeJsonMessage(message: Message): Uint8Array {
  const pieces = encodeJsonMessagePieces(message);
  return pieces.length === 1 ? pieces[0] : joinPieces(pieces);
}
