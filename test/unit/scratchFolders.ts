// Scratch folders for the tests, under the system temp folder: each is removed when the test
// process exits, so that a run leaves nothing behind in /tmp.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const folders: string[] = [];

// At exit rather than after each test: a folder may serve a whole describe block, and a server,
// CLI or probe worker the tests started may still read it when the test that made it is done.
process.on('exit', () => {
  for (const folder of folders) {
    try {
      fs.rmSync(folder, { recursive: true, force: true });
    } catch {
      // A throw here would replace the run's exit code; a folder left behind is the lesser harm.
    }
  }
});

/** A new empty folder named `prefix` plus six random characters, removed when the process exits. */
export function scratchFolder(prefix: string): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  folders.push(folder);
  return folder;
}
