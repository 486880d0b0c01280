// The server's own trust check (server/src/lsp/workspaceTrust.ts): a probe that would run
// workspace code is refused while the client says the workspace is untrusted, whatever the
// client does, and allowed once trust is granted or when the client says nothing (Neovim).
import { strict as assert } from 'node:assert';
import { UNTRUSTED_WORKSPACE_ERROR_CODE } from '../../server/src/protocol';
import { WorkspaceTrustState } from '../../server/src/lsp/workspaceTrust';

describe('server workspace trust', () => {
  it('refuses the execute mode in an untrusted workspace, with a message that says why', () => {
    const trust = new WorkspaceTrustState();
    trust.initialize({ workspaceTrusted: false });
    const refusal = trust.refusal('execute');
    assert.ok(refusal);
    assert.equal(refusal.code, UNTRUSTED_WORKSPACE_ERROR_CODE);
    assert.match(refusal.message, /not trusted/);
  });

  it('lets literal-configuration probes run in an untrusted workspace', () => {
    const trust = new WorkspaceTrustState();
    trust.initialize({ workspaceTrusted: false });
    assert.equal(trust.refusal('literal'), undefined);
    assert.equal(trust.refusal(undefined), undefined);
  });

  it('allows execution once trust is granted', () => {
    const trust = new WorkspaceTrustState();
    trust.initialize({ workspaceTrusted: false });
    trust.grant();
    assert.equal(trust.refusal('execute'), undefined);
  });

  it('treats a client that sends no trust information as trusted', () => {
    for (const options of [undefined, null, {}, { other: 1 }]) {
      const trust = new WorkspaceTrustState();
      trust.initialize(options);
      assert.equal(trust.isTrusted, true, JSON.stringify(options));
    }
  });
});
