// The messages Symmetry Lint produces on the samples and the test fixtures, under their own
// declarations and under several `--symmetry` values, with the checks a message must pass (one
// line of the Problems view, no repeated run of words). Used by messages.test.ts; run it
// directly (`npx tsx test/unit/messageCorpus.ts`) to print the figures of docs/benchmarks.md.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText } from '../../server/src/engine';

const ROOT = path.resolve(__dirname, '../..');
const SOURCE_EXTENSIONS = new Set(['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs']);

/** Declarations applied to every model, besides the files' own (`undefined`). */
export const COMMAND_LINE_SYMMETRIES: (string | undefined)[] = [
  undefined,
  'invariant translation',
  'equivariant translation',
  'invariant rotation90',
  'equivariant flip',
  'invariant dihedral',
  'invariant permutation',
  'equivariant sign',
];

export const MAX_MESSAGE_LENGTH = 200;

export interface ProducedMessage {
  file: string;
  /** 1-based line of the finding. */
  line: number;
  ruleId: string;
  message: string;
  symmetry?: string;
}

function listSources(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return listSources(full);
      return SOURCE_EXTENSIONS.has(path.extname(entry.name)) ? [full] : [];
    })
    .sort();
}

/** The files whose messages are measured: samples/ and test/fixtures/**. */
export function corpusFiles(): string[] {
  return [...listSources(path.join(ROOT, 'samples')), ...listSources(path.join(ROOT, 'test/fixtures'))];
}

/** Every finding's message (and related-information message) on the corpus. */
export function producedMessages(files = corpusFiles()): ProducedMessage[] {
  const result: ProducedMessage[] = [];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    for (const symmetry of COMMAND_LINE_SYMMETRIES) {
      const analysis = analyzeText(file, text, symmetry ? { commandLineDeclarations: [symmetry] } : {});
      for (const finding of analysis.findings) {
        result.push({ file: path.relative(ROOT, file), line: finding.line + 1, ruleId: finding.ruleId, message: finding.message, symmetry });
      }
    }
  }
  return result;
}

/** The message's words, lower case, punctuation dropped. */
export function wordsOf(message: string): string[] {
  return message
    .toLowerCase()
    .split(/[^a-z0-9_]+/)
    .filter(Boolean);
}

/** The first run of `n` words that occurs twice in the message, if any. */
export function repeatedRun(message: string, n = 4): string | undefined {
  const words = wordsOf(message);
  const seen = new Set<string>();
  for (let i = 0; i + n <= words.length; i++) {
    const run = words.slice(i, i + n).join(' ');
    if (seen.has(run)) return run;
    seen.add(run);
  }
  return undefined;
}

/** "at line 12" (or "line 12") in a message placed on line 12: the reader already knows. */
export function namesOwnLine(produced: ProducedMessage): boolean {
  return new RegExp(`\\bline ${produced.line}\\b`).test(produced.message);
}

export interface MessageFigures {
  distinct: number;
  medianLength: number;
  maxLength: number;
  overLimit: number;
  repeating: number;
  namingOwnLine: number;
}

export function figuresOf(produced: ProducedMessage[]): MessageFigures {
  const distinct = [...new Set(produced.map((p) => p.message))];
  const lengths = distinct.map((m) => m.length).sort((a, b) => a - b);
  return {
    distinct: distinct.length,
    medianLength: lengths.length ? lengths[Math.floor(lengths.length / 2)] : 0,
    maxLength: lengths.length ? lengths[lengths.length - 1] : 0,
    overLimit: distinct.filter((m) => m.length > MAX_MESSAGE_LENGTH).length,
    repeating: distinct.filter((m) => repeatedRun(m) !== undefined).length,
    namingOwnLine: new Set(produced.filter(namesOwnLine).map((p) => p.message)).size,
  };
}

// Run directly: print the figures and the messages, longest first. `--dir <folder>` measures
// another folder instead (a corpus of real model code kept outside the repository).
if (require.main === module) {
  const dirIndex = process.argv.indexOf('--dir');
  const produced = producedMessages(dirIndex > 0 ? listSources(path.resolve(process.argv[dirIndex + 1])) : corpusFiles());
  console.log(JSON.stringify(figuresOf(produced)));
  if (process.argv.includes('--list')) {
    const distinct = [...new Map(produced.map((p) => [p.message, p])).values()].sort((a, b) => b.message.length - a.message.length);
    for (const p of distinct) console.log(`${p.message.length}\t${p.ruleId}\t${p.file}:${p.line}\t${repeatedRun(p.message) ? `[repeat: ${repeatedRun(p.message)}] ` : ''}${p.message}`);
  }
}
