// One unopened workspace file, from its path on disk to its LSP diagnostics: what the check
// worker thread runs for the language server's whole-workspace pass
// (server/src/lsp/workspaceDiagnostics.ts), so that the analysis never runs on the server's main
// thread. It reads the disk as `symmetry-lint check` does, with the CLI's time budget, so the
// Problems view shows what the CLI prints; a file that cannot be analysed gets the CLI's one
// analysis-gap finding.
import * as path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver/node';
import { ts } from 'ts-morph';
import { analyzeFile, unanalysableFileFinding, type LocatedFinding, type ProjectTrainingScripts } from '../engine';
import type { SourceProvider } from '../analysis/sourceProvider';
import type { SeverityOverride } from '../rules/rule';
import { uriForFileName } from '../workspace/documents';
import { locatedDiagnostic } from './diagnostics';

export interface WorkspaceFileDiagnostics {
  items: Diagnostic[];
  /** Every other file the analysis read (helpers): a change to one of them redoes this file. */
  reads: string[];
}

/**
 * What the main thread's training-script index (server/src/workspace/trainingScripts.ts) says of
 * one file, small enough to post: the training scripts that import it, and the workspace files
 * that report the augmentations in them themselves (the file, what it and its importers import).
 */
export interface WorkspaceFileProject {
  importers: string[];
  imports: string[];
}

/** Undefined when the file is not there (deleted since the walk). */
export function workspaceFileDiagnostics(
  fileName: string,
  disk: SourceProvider,
  ruleSeverities: Record<string, SeverityOverride>,
  projectOfFile?: WorkspaceFileProject,
): WorkspaceFileDiagnostics | undefined {
  const reads = new Set<string>();
  const provider: SourceProvider = {
    getSourceFile: (name: string) => {
      const resolved = path.resolve(name);
      if (resolved !== fileName) reads.add(resolved);
      return disk.getSourceFile(name);
    },
  };
  const uri = uriForFileName(fileName);
  let sourceFile: ts.SourceFile | undefined;
  let findings: LocatedFinding[];
  try {
    sourceFile = disk.getSourceFile(fileName);
    if (!sourceFile) return undefined;
    const imports = new Set(projectOfFile?.imports ?? []);
    const project: ProjectTrainingScripts | undefined = projectOfFile && {
      importersOf: (name) => (path.resolve(name) === fileName ? projectOfFile.importers : []),
      reportsFindingsOf: (name) => imports.has(path.resolve(name)),
    };
    findings = analyzeFile(sourceFile, provider, { ruleSeverities, project }).findings;
  } catch (error) {
    // As the CLI: a file too deeply nested to parse or analyse is one finding at its top.
    sourceFile = ts.createSourceFile(fileName, '', ts.ScriptTarget.Latest);
    const finding = unanalysableFileFinding(fileName, error, ruleSeverities);
    findings = finding ? [{ ...finding, line: 0, character: 0, endLine: 0, endCharacter: 0 }] : [];
  }
  const context = { uri, version: 0, sourceFile, provider: disk, uriOf: () => undefined };
  return { items: findings.map((finding) => locatedDiagnostic(finding, context)), reads: [...reads] };
}
