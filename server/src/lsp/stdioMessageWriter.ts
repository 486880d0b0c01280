// The writer of the server's messages over stdio: each message, header and body, goes out in
// one write of one buffer, encoded by jsonMessageEncoder.ts. vscode-jsonrpc's stream writer
// writes the header, waits for that write's callback, then writes the body, behind a lock
// that holds the next message until then: two writes and at least one turn of the event loop
// per message, and a reader woken up for a header it cannot use yet.
import { AbstractMessageWriter, type Message, type MessageWriter } from 'vscode-languageserver/node';
import { encodeJsonMessagePieces, joinPieces } from './jsonMessageEncoder';

export class StdioMessageWriter extends AbstractMessageWriter implements MessageWriter {
  private errorCount = 0;

  constructor(private readonly stream: NodeJS.WritableStream) {
    super();
    stream.on('error', (error: Error) => this.fireError(error));
    stream.on('close', () => this.fireClose());
  }

  write(message: Message): Promise<void> {
    try {
      const pieces = encodeJsonMessagePieces(message);
      let bodyLength = 0;
      for (const piece of pieces) bodyLength += piece.length;
      const header = `Content-Length: ${bodyLength}\r\n\r\n`;
      const bytes = joinPieces(pieces, header.length);
      for (let i = 0; i < header.length; i++) bytes[i] = header.charCodeAt(i);
      // Node's streams keep the order of writes: no lock is needed between messages.
      return new Promise((resolve, reject) => {
        this.stream.write(bytes, (error?: Error | null) => {
          if (error) {
            this.failed(error, message);
            reject(error);
          } else {
            this.errorCount = 0;
            resolve();
          }
        });
      });
    } catch (error) {
      this.failed(error, message);
      return Promise.reject(error);
    }
  }

  end(): void {
    this.stream.end();
  }

  private failed(error: unknown, message: Message): void {
    this.errorCount++;
    this.fireError(error, message, this.errorCount);
  }
}
