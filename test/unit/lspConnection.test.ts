// The server's connection set-up: which transport the command line names, and over stdio a
// console that writes to the client's log, never to stdout (the protocol's channel).
import * as assert from 'node:assert/strict';
import { redirectConsole, transportOf } from '../../server/src/lsp/connection';

describe('lsp: connection set-up', () => {
  it('reads the transport from the command line as vscode-languageserver does', () => {
    assert.equal(transportOf(['--stdio']), 'stdio');
    assert.equal(transportOf(['--max-old-space-size=100', '--stdio']), 'stdio');
    assert.equal(transportOf(['--node-ipc']), 'other');
    assert.equal(transportOf(['--socket=5007']), 'other');
    assert.equal(transportOf(['--pipe', '/tmp/p']), 'other');
    assert.equal(transportOf(['--node-ipc', '--stdio']), 'other');
    assert.equal(transportOf([]), undefined);
  });

  it('over stdio sends console output to the client log, not to stdout', () => {
    const saved = { ...console };
    const logged: string[] = [];
    const stdout: string[] = [];
    const write = process.stdout.write;
    const level = (name: string) => (message: string) => logged.push(`${name}: ${message}`);
    try {
      process.stdout.write = ((chunk: string) => (stdout.push(String(chunk)), true)) as typeof process.stdout.write;
      redirectConsole({ console: { log: level('log'), info: level('info'), warn: level('warn'), error: level('error') } as never });
      console.log('tfjs says %s', 'hi', { a: 1 });
      console.warn('careful');
      console.error(new Error('boom').message);
      console.info('fyi');
    } finally {
      process.stdout.write = write;
      Object.assign(console, saved);
    }
    assert.deepEqual(stdout, []);
    assert.deepEqual(logged, ["log: tfjs says hi { a: 1 }", 'warn: careful', 'error: boom', 'info: fyi']);
  });
});
