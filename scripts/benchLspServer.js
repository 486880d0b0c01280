// The language server as the benches drive it: started over stdio with fixed settings, and
// stopped the way a client stops it (bench.js, benchProbeStartup.js).
'use strict';

const { spawn } = require('node:child_process');
const rpc = require('vscode-jsonrpc/node');

/** Starts `serverPath --stdio`, answering every workspace/configuration item with `settings`. */
function startBenchServer(serverPath, settings, { stderr = 'inherit' } = {}) {
  const child = spawn(process.execPath, [serverPath, '--stdio'], { stdio: ['pipe', 'pipe', stderr] });
  const connection = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  connection.onRequest('workspace/configuration', (params) => params.items.map(() => settings));
  return { child, connection };
}

/**
 * Shutdown and exit, then let go of the pipes once the server has gone: disposing or killing
 * while the `exit` write is still queued made the writer write to a destroyed stream.
 */
async function stopBenchServer({ child, connection }) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await connection.sendRequest('shutdown');
  await connection.sendNotification('exit');
  const timer = setTimeout(() => child.kill(), 5000);
  await exited;
  clearTimeout(timer);
  connection.dispose();
}

module.exports = { startBenchServer, stopBenchServer };
