// Tests that the language server, started as outside tools start it (`node server.js --stdio`),
// keeps V8's young generation at its initial size while it analyses and re-analyses a large
// file (issue 13, server/src/youngGeneration.ts). V8's default grows it to 32 MB here; the heap
// figures are read inside the server by a preloaded reporter, as `npm run bench:memory` does.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { ensureServerBuilt } from '../unit/probeTestSupport';
import { SERVER } from './serverProcess';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generateModelFile } = require('../../scripts/benchModelFile') as { generateModelFile(lines: number): string };

/** Preloaded into the server: on SIGWINCH it writes V8's heap space sizes to the given file. */
const REPORTER = `
const v8 = require('node:v8');
const fs = require('node:fs');
process.on('SIGWINCH', () => {
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.physical_space_size]));
  fs.writeFileSync(process.env.HEAP_REPORT + '.tmp', JSON.stringify(spaces));
  fs.renameSync(process.env.HEAP_REPORT + '.tmp', process.env.HEAP_REPORT);
});
`;

describe('language server heap', function () {
  this.timeout(120000);

  it('keeps the young generation at its initial size through a large file and edits', async () => {
    ensureServerBuilt();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'symmetry-lint-young-'));
    const reporter = path.join(dir, 'reporter.js');
    const report = path.join(dir, 'heap.json');
    fs.writeFileSync(reporter, REPORTER);
    const child = spawn(process.execPath, ['--require', reporter, SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, HEAP_REPORT: report } });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => ({ probe: { warmUp: false } })));
    connection.listen();
    try {
      await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: { textDocument: { diagnostic: {} }, workspace: { configuration: true } } });
      await connection.sendNotification('initialized', {});
      const text = generateModelFile(3000);
      const uri = `file://${path.join(dir, 'models.ts')}`;
      await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
      await connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
      const offset = text.indexOf('filters: 16', Math.floor(text.length / 2)) + 'filters: 1'.length;
      const before = text.slice(0, offset);
      const position = { line: before.split('\n').length - 1, character: offset - before.lastIndexOf('\n') - 1 };
      for (let i = 0; i < 10; i++) {
        await connection.sendNotification('textDocument/didChange', {
          textDocument: { uri, version: i + 2 },
          contentChanges: [{ range: { start: position, end: { line: position.line, character: position.character + 1 } }, text: i % 2 === 0 ? '7' : '6' }],
        });
        await connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
      }
      child.kill('SIGWINCH');
      while (!fs.existsSync(report)) await new Promise((resolve) => setTimeout(resolve, 20));
      const spaces = JSON.parse(fs.readFileSync(report, 'utf8')) as Record<string, number>;
      // 1 MB per semi-space: 2 MB; V8's default reaches 28-32 MB on this file.
      assert.ok(spaces.new_space <= 4 * 1024 * 1024, `the young generation grew to ${(spaces.new_space / 1048576).toFixed(1)} MB`);
    } finally {
      child.kill();
      connection.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
