// Tests that `check` keeps no file's analysis once the file is formatted (issue 13: memory must
// not grow with the number of files): a report holds no syntax tree and no model graph, and the
// output being built lets every report go, which a FinalizationRegistry sees after a forced GC;
// and the parsed-file cache keeps only trees that other files import.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { FileChecker, PARSED_FILES_KEPT, withFile } from '../../server/src/cli/checkFile';
import { DiskSourceFiles } from '../../server/src/workspace/fileSources';
import { CheckOutput } from '../../server/src/cli/checkOutput';
import { runCheck, type OutputFormat } from '../../server/src/cli/check';
import type { FileReport } from '../../server/src/cli/report';
import { scratchFolder } from './scratchFolders';

const ROOT = path.resolve(__dirname, '../..');
const SAMPLES = path.join(ROOT, 'samples');
const TOOL = { name: 'symmetry-lint', version: '0.0.0', informationUri: 'https://example.invalid/rules/' };
const CATALOG = [{ id: 'invalid-declaration', description: 'invalid declaration', defaultSeverity: 'error' as const }];

function sampleFiles(): string[] {
  return fs
    .readdirSync(SAMPLES)
    .filter((name) => name.endsWith('.ts'))
    .sort()
    .map((name) => path.join(SAMPLES, name));
}

/** `gc()` without starting mocha with --expose-gc. */
function exposedGc(): () => void {
  v8.setFlagsFromString('--expose_gc');
  return vm.runInNewContext('gc') as () => void;
}

/** Whether an object is a TypeScript node (a syntax tree or part of one). */
function isSyntaxNode(value: object): boolean {
  const candidate = value as { kind?: unknown; pos?: unknown; end?: unknown; flags?: unknown };
  return typeof candidate.kind === 'number' && typeof candidate.pos === 'number' && typeof candidate.end === 'number' && typeof candidate.flags === 'number';
}

/** Every object reachable from `root` through its own properties (Maps and Sets included). */
function reachableObjects(root: object): object[] {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== 'object' || value === null || seen.has(value)) continue;
    seen.add(value);
    if (value instanceof Map) for (const [key, item] of value) stack.push(key, item);
    else if (value instanceof Set) for (const item of value) stack.push(item);
    for (const key of Reflect.ownKeys(value)) stack.push((value as Record<PropertyKey, unknown>)[key]);
  }
  return [...seen];
}

describe('check keeps no file analysis once the file is formatted', function () {
  this.timeout(120000);

  it('a file report holds no syntax tree and no model graph', () => {
    const checker = new FileChecker({ cwd: ROOT, symmetry: [], infer: true });
    const report = checker.check(path.join(SAMPLES, 'mnist-cnn.ts'));
    assert.ok(report.models.length > 0, 'the sample has models');
    for (const value of reachableObjects(report)) {
      assert.ok(!isSyntaxNode(value), `a syntax node is reachable from the report: kind ${(value as { kind: number }).kind}`);
      assert.ok(!('creationSpan' in value) && !('layers' in value && 'nameSpan' in value), 'a model graph is reachable from the report');
    }
  });

  for (const format of ['text', 'json', 'sarif'] as OutputFormat[]) {
    it(`lets every file's report go as the ${format} output is built, and the output is the whole run's`, async () => {
      const gc = exposedGc();
      const files = sampleFiles();
      const collected = new Set<number>();
      const registry = new FinalizationRegistry<number>((index) => collected.add(index));
      const chunks: string[] = [];
      // The output stays alive until the end, so a report it kept would not be collected.
      const output = new CheckOutput({ format, cwd: ROOT, tool: TOOL, catalog: CATALOG }, (chunk) => chunks.push(chunk));
      // In its own function, so that no local of this test holds the last report.
      const checkAll = (): void => {
        const checker = new FileChecker({ cwd: ROOT, symmetry: [] });
        files.forEach((fileName, index) => {
          const report: FileReport = checker.check(fileName);
          registry.register(report, index);
          output.add(report);
        });
      };
      checkAll();
      // Finalizers run after a collection, on a later turn of the event loop.
      for (let round = 0; round < 20 && collected.size < files.length; round++) {
        gc();
        await new Promise((resolve) => setImmediate(resolve));
      }
      const kept = files.filter((_, index) => !collected.has(index)).map((fileName) => path.basename(fileName));
      assert.deepEqual(kept, [], `reports still reachable from the output being built: ${kept.join(', ')}`);
      output.finish();
      const whole = runCheck({ inputs: files, symmetry: [], format, cwd: ROOT, tool: TOOL, catalog: CATALOG });
      assert.equal(chunks.join(''), whole.output);
    });
  }
});

describe('the CLI keeps parsed trees only of files that others import', function () {
  this.timeout(60000);
  /** Runs `body` in a new scratch folder, removed afterwards. */
  const inScratchDir = (body: (dir: string) => void): void => {
    const dir = scratchFolder('symmetry-lint-kept-');
    try {
      body(dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };

  it('parses a checked file without keeping it, and reuses a tree an import already pulled in', () => {
    inScratchDir((dir) => {
      const helper = path.join(dir, 'helper.ts');
      const checked = path.join(dir, 'model.ts');
      fs.writeFileSync(helper, "export const units = 4;\n");
      fs.writeFileSync(checked, "import { units } from './helper';\nexport const width = units;\n");
      const disk = new DiskSourceFiles(PARSED_FILES_KEPT);
      const first = disk.checkedFile(checked);
      assert.ok(first);
      assert.notEqual(disk.checkedFile(checked), first, 'a checked file is parsed again: nothing kept it');
      assert.notEqual(disk.getSourceFile(checked), first);
      const imported = disk.getSourceFile(helper);
      assert.ok(imported);
      assert.equal(disk.checkedFile(helper), imported, 'a file an import pulled in is checked from the kept tree');
    });
  });

  it("gives a checked file's own tree to every lookup of it during its check", () => {
    inScratchDir((dir) => {
      const checked = path.join(dir, 'model.ts');
      const other = path.join(dir, 'other.ts');
      fs.writeFileSync(checked, 'export const a = 1;\n');
      fs.writeFileSync(other, 'export const b = 2;\n');
      const disk = new DiskSourceFiles(PARSED_FILES_KEPT);
      const tree = disk.checkedFile(checked)!;
      const provider = withFile(disk, tree);
      assert.equal(provider.getSourceFile(checked), tree);
      assert.equal(provider.getSourceFile(path.relative(process.cwd(), checked)), tree, 'the same file by another spelling');
      assert.equal(provider.getSourceFile(other), disk.getSourceFile(other), 'other files come from the cache');
    });
  });
});
