// Push diagnostics' quiet period: it follows what the document's last analysis cost, so a
// client without pull diagnostics is answered almost at once on a cheap file and not analysed
// per key on an expensive one.
import assert from 'node:assert/strict';
import type { Connection, Diagnostic } from 'vscode-languageserver/node';
import { DiagnosticsPusher, PUSH_DELAY_MS, PUSH_MIN_DELAY_MS, pushDelayMs } from '../../server/src/lsp/pushDiagnostics';

describe('push diagnostics quiet period', () => {
  it('is twice the last analysis, between the bounds, and the longest before any analysis', () => {
    assert.equal(pushDelayMs(undefined), PUSH_DELAY_MS);
    assert.equal(pushDelayMs(1), PUSH_MIN_DELAY_MS);
    assert.equal(pushDelayMs(20), 40);
    assert.equal(pushDelayMs(40.2), 81);
    assert.equal(pushDelayMs(5000), PUSH_DELAY_MS);
  });

  it('records what each push cost, per document, and forgets it when the document closes', async () => {
    const sent: { uri: string; diagnostics: Diagnostic[] }[] = [];
    const connection = { sendDiagnostics: async (params: { uri: string; diagnostics: Diagnostic[] }) => void sent.push(params) } as unknown as Connection;
    let clock = 0;
    const costs: Record<string, number> = { 'file:///cheap.ts': 3, 'file:///dear.ts': 60 };
    const pusher = new DiagnosticsPusher(
      connection,
      async (uri) => {
        clock += costs[uri];
        return [];
      },
      () => undefined,
      () => clock,
    );
    pusher.enabled = true;
    pusher.schedule('file:///cheap.ts');
    pusher.schedule('file:///dear.ts');
    while (sent.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(pusher.delayFor('file:///cheap.ts'), PUSH_MIN_DELAY_MS);
    assert.equal(pusher.delayFor('file:///dear.ts'), 120);
    pusher.clear('file:///cheap.ts');
    assert.equal(pusher.delayFor('file:///cheap.ts'), PUSH_DELAY_MS);
  });
});
