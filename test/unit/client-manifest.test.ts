// Ties the VS Code manifest (package.json) to the client: commands match the one command
// table, every setting of SymmetryLintSettings is contributed with the same default, and the
// trust and activation declarations are present. No `vscode` import: the table is plain data.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMAND_CATEGORY, COMMANDS, enablementOf } from '../../client/src/commandTable';
import { DEFAULT_SETTINGS } from '../../server/src/protocol';

const ROOT = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** `{probe: {timeoutMs: 1}}` -> `{"probe.timeoutMs": 1}`; `rules` stays one object setting. */
function flattenSettings(value: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== null && typeof item === 'object' && !Array.isArray(item) && key !== 'rules') {
      Object.assign(flat, flattenSettings(item as Record<string, unknown>, `${prefix}${key}.`));
    } else {
      flat[`${prefix}${key}`] = item;
    }
  }
  return flat;
}

describe('VS Code manifest', () => {
  it('contributes exactly the commands of the client table, all in the Symmetry category', () => {
    const contributed = manifest.contributes.commands as { command: string; title: string; category: string; enablement?: string }[];
    assert.deepEqual(contributed.map((c) => c.command).sort(), COMMANDS.map((c) => c.id).sort());
    for (const spec of COMMANDS) {
      const entry = contributed.find((c) => c.command === spec.id)!;
      assert.equal(entry.title, spec.title, spec.id);
      assert.equal(entry.category, COMMAND_CATEGORY, spec.id);
      assert.equal(entry.enablement, enablementOf(spec), `${spec.id}: server commands are greyed out until the server is ready`);
    }
  });

  it('hides internal commands from the command palette', () => {
    const palette = manifest.contributes.menus.commandPalette as { command: string; when: string }[];
    for (const spec of COMMANDS.filter((c) => 'internal' in c && c.internal)) {
      assert.equal(palette.find((entry) => entry.command === spec.id)?.when, 'false', spec.id);
    }
  });

  it('declares every symmetryLint setting with the server default', () => {
    const properties = manifest.contributes.configuration.properties as Record<string, { default: unknown }>;
    const expected = flattenSettings(DEFAULT_SETTINGS as unknown as Record<string, unknown>);
    assert.deepEqual(Object.keys(properties).sort(), Object.keys(expected).map((key) => `symmetryLint.${key}`).sort());
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual(properties[`symmetryLint.${key}`]!.default, value, key);
    }
  });

  it('activates on TS, JS, TSX and JSX and supports untrusted workspaces in a limited way', () => {
    for (const language of ['typescript', 'typescriptreact', 'javascript', 'javascriptreact']) {
      assert.ok(manifest.activationEvents.includes(`onLanguage:${language}`), language);
    }
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.match(manifest.capabilities.untrustedWorkspaces.description, /trusted/);
  });

  it('links to no page that does not exist, and ships the rule pages it links to', () => {
    const text = fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8');
    assert.doesNotMatch(text, /github\.com\/symmetry-lint/);
    assert.equal(manifest.repository, undefined);
    const links = [...text.matchAll(/command:symmetryLint\.showRuleDocs\?%5B%22([a-z-]+)%22%5D/g)].map((match) => match[1]);
    assert.ok(links.length >= 10, `rule links in settings: ${links.length}`);
    for (const rule of links) assert.ok(fs.existsSync(path.join(ROOT, 'docs', 'rules', `${rule}.md`)), rule);
    const ignore = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8');
    assert.match(ignore, /^!client\/dist\/docs\/rules\/\*\.md$/m);
  });

  it('names the command that runs workspace code so it cannot be mistaken for a literal probe', () => {
    const command = manifest.contributes.commands.find((c: { command: string }) => c.command === 'symmetryLint.probeModelAtCursorRunningCode');
    assert.equal(command.title, 'Run Workspace Code to Probe Model…');
    assert.ok(!manifest.contributes.commands.some((c: { command: string; title: string }) => c !== command && /^Run Workspace Code/.test(c.title)));
  });
});
