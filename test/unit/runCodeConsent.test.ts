// The consent before a probe runs the workspace's code: asked once per workspace in a modal
// that says so, remembered after a yes, asked again after a no. Driven through fake store and
// modal (the real modal is checked in the real-editor suite).
import { strict as assert } from 'node:assert';
import { confirmRunningWorkspaceCode, RUN_CODE_CONFIRMED_KEY, type ConsentStore } from '../../client/src/runCodeConsent';

function memoryStore(): ConsentStore & { values: Map<string, unknown> } {
  const values = new Map<string, unknown>();
  return {
    values,
    get: <T>(key: string) => values.get(key) as T | undefined,
    update: (key: string, value: unknown) => {
      values.set(key, value);
      return Promise.resolve();
    },
  };
}

describe('consent to run workspace code', () => {
  it("asks once per workspace, in words that say it runs the workspace's code", async () => {
    const store = memoryStore();
    const asked: { question: string; detail: string }[] = [];
    const ask = (question: string, detail: string, confirm: string) => {
      asked.push({ question, detail });
      return Promise.resolve(confirm);
    };
    assert.equal(await confirmRunningWorkspaceCode(store, ask), true);
    assert.equal(await confirmRunningWorkspaceCode(store, ask), true);
    assert.equal(asked.length, 1, 'asked once');
    assert.match(asked[0].question, /run this workspace's code/i);
    assert.match(asked[0].detail, /trust/);
    assert.equal(store.values.get(RUN_CODE_CONFIRMED_KEY), true);
    // Another workspace has its own state: asked there again.
    assert.equal(await confirmRunningWorkspaceCode(memoryStore(), ask), true);
    assert.equal(asked.length, 2);
  });

  it('runs nothing after a no or a dismissed modal, and asks again next time', async () => {
    const store = memoryStore();
    let asks = 0;
    const dismiss = () => {
      asks++;
      return Promise.resolve(undefined);
    };
    assert.equal(await confirmRunningWorkspaceCode(store, dismiss), false);
    assert.equal(await confirmRunningWorkspaceCode(store, () => Promise.resolve('Cancel')), false);
    assert.equal(await confirmRunningWorkspaceCode(store, dismiss), false);
    assert.equal(asks, 2);
    assert.equal(store.values.has(RUN_CODE_CONFIRMED_KEY), false);
  });
});
