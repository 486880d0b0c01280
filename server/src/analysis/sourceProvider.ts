// How the analysis reads other files of the project (helpers imported from another file):
// open editor buffers first, then the disk. Implemented by the server and the CLI.
import type { ts } from 'ts-morph';

export interface SourceProvider {
  /** A parsed file (parent pointers set), or undefined when it does not exist or cannot be read. */
  getSourceFile(fileName: string): ts.SourceFile | undefined;
}
