// One engine analysis per linted file, shared by all the plugin's rules: ESLint calls each
// rule's `create` separately, so the first rule to ask analyses the text and the others read the
// same result. The key is the file, its text and the plugin's settings; the text is compared
// whole, so a `--fix` pass or an editor edit is a new analysis. Helpers in other files are read
// from disk as the CLI reads them (server/src/cli/checkFile.ts).
import * as path from 'node:path';
import type { ts } from 'ts-morph';
import { analyzeFile, parseSource, unanalysableFileFinding, type FileAnalysis, type LocatedFinding } from '../../server/src/engine';
import { fixesForFinding, type SymmetryFix } from '../../server/src/fixes/index';
import { DiskSourceFiles } from '../../server/src/workspace/fileSources';

/** Parsed helper files kept across files, as in the CLI: enough for a folder's shared helpers. */
const PARSED_FILES_KEPT = 64;
/** Analyses kept: ESLint runs every rule on a file before the next, so a few are plenty. */
const ANALYSES_KEPT = 8;

export interface SymmetryLintSettings {
  /** `settings.symmetryLint.symmetry`: the plugin's `--symmetry`, applied to every model. */
  symmetry: string[];
}

/** Reads `settings.symmetryLint`; a malformed value counts as absent, never as an exception. */
export function readSettings(settings: Record<string, unknown> | undefined): SymmetryLintSettings {
  const own = settings?.symmetryLint;
  const symmetry = own && typeof own === 'object' ? (own as { symmetry?: unknown }).symmetry : undefined;
  if (typeof symmetry === 'string') return { symmetry: [symmetry] };
  if (Array.isArray(symmetry)) return { symmetry: symmetry.filter((value): value is string => typeof value === 'string') };
  return { symmetry: [] };
}

/** What the rules of one file read: the findings and, computed once on demand, their fixes. */
export class SharedFileAnalysis {
  private fixCache = new Map<LocatedFinding, SymmetryFix[]>();
  private fixAllChoice: LocatedFinding | null | undefined;

  constructor(
    readonly text: string,
    readonly settingsKey: string,
    readonly sourceFile: ts.SourceFile,
    readonly analysis: FileAnalysis,
  ) {}

  findingsOf(ruleId: string): LocatedFinding[] {
    return this.analysis.findings.filter((finding) => finding.ruleId === ruleId);
  }

  /** The fixes the editor's quick fixes offer for a finding, the preferred one first. */
  fixesOf(finding: LocatedFinding): SymmetryFix[] {
    let fixes = this.fixCache.get(finding);
    if (!fixes) {
      fixes = fixesForFinding(this.sourceFile, this.analysis, finding);
      this.fixCache.set(finding, fixes);
    }
    return fixes;
  }

  /**
   * The one finding whose preferred fix `--fix` applies in this pass: the first in file order
   * that has one, as `symmetry-lint check --fix` picks it (server/src/fixes/index.ts). ESLint
   * lints again after each pass, so the next fix is chosen on the fixed text; two fixes applied
   * in one pass could each insert what the other already adds (see docs/decisions.md).
   */
  fixAllFinding(): LocatedFinding | undefined {
    if (this.fixAllChoice === undefined) {
      this.fixAllChoice = this.analysis.findings.find((finding) => this.fixesOf(finding).some((fix) => fix.isPreferred)) ?? null;
    }
    return this.fixAllChoice ?? undefined;
  }
}

const disk = new DiskSourceFiles(PARSED_FILES_KEPT);
const recent = new Map<string, SharedFileAnalysis>();

/** The analysis of `text` as the file `fileName`, from the cache when the same text was analysed. */
export function sharedAnalysisFor(fileName: string, text: string, settings: SymmetryLintSettings): SharedFileAnalysis {
  const key = path.resolve(fileName);
  const settingsKey = JSON.stringify(settings.symmetry);
  const cached = recent.get(key);
  if (cached && cached.text === text && cached.settingsKey === settingsKey) {
    // Most recently used last, so the oldest goes first when the cache is full.
    recent.delete(key);
    recent.set(key, cached);
    return cached;
  }
  const shared = analyse(key, text, settings, settingsKey);
  recent.delete(key);
  recent.set(key, shared);
  while (recent.size > ANALYSES_KEPT) recent.delete(recent.keys().next().value as string);
  return shared;
}

let analysesRun = 0;

/** How many engine analyses the plugin ran in this process: the tests check that rules share one. */
export function engineAnalysisCount(): number {
  return analysesRun;
}

function analyse(fileName: string, text: string, settings: SymmetryLintSettings, settingsKey: string): SharedFileAnalysis {
  analysesRun++;
  let sourceFile: ts.SourceFile;
  try {
    sourceFile = parseSource(fileName, text);
    // The linted text, not the disk's copy, answers for this file when a helper imports it back.
    const provider = { getSourceFile: (name: string) => (path.resolve(name) === fileName ? sourceFile : disk.getSourceFile(name)) };
    return new SharedFileAnalysis(text, settingsKey, sourceFile, analyzeFile(sourceFile, provider, { commandLineDeclarations: settings.symmetry }));
  } catch (error) {
    // As in the CLI: a file the parser cannot take (nesting that overflows its stack) is one
    // analysis-gap finding at the start of the file, never a crash of the lint run.
    sourceFile = parseSource(fileName, '');
    const finding = unanalysableFileFinding(fileName, error);
    const findings = finding ? [{ ...finding, line: 0, character: 0, endLine: 0, endCharacter: 0 }] : [];
    return new SharedFileAnalysis(text, settingsKey, sourceFile, { fileName, models: [], findings });
  }
}

