// Rule page links: by default the pages shipped with the code (they exist offline and match the
// installed version), or the published pages under a configured base URL.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RULE_IDS } from '../../server/src/rules/ruleIds';
import { ruleDocsUrl, setDocsBaseUrl } from '../../server/src/rules/rule';

describe('rule page links', () => {
  afterEach(() => setDocsBaseUrl(undefined));

  it('point to a shipped page that exists for every rule', () => {
    for (const id of RULE_IDS) {
      const url = ruleDocsUrl(id);
      assert.match(url, /^file:\/\//);
      assert.ok(fs.existsSync(fileURLToPath(url)), url);
    }
  });

  it('point to the published pages under a base URL, with or without its trailing slash', () => {
    setDocsBaseUrl('https://example.org/symmetry-lint/rules');
    assert.equal(ruleDocsUrl('padding-boundary'), 'https://example.org/symmetry-lint/rules/padding-boundary.md');
    setDocsBaseUrl('https://example.org/docs/');
    assert.equal(ruleDocsUrl('padding-boundary'), 'https://example.org/docs/padding-boundary.md');
    setDocsBaseUrl('  ');
    assert.match(ruleDocsUrl('padding-boundary'), /^file:\/\//);
  });
});
