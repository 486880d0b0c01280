// Edits that add `@symmetry` tags to the JSDoc of a model's holder, creating the block when
// there is none: used by "Declare the symmetries this model has" (issue 9) and by the
// augmentation rule's "declare it as learned".
import { ts } from 'ts-morph';
import { APPROXIMATE_DECLARATION_TOL, declarableSymmetries, type DeclarableSymmetry } from '../analysis/discoveredSymmetries';
import { HOLDER_KINDS } from '../analysis/extraction/discovery';
import type { ModelGraph } from '../analysis/graph';
import { discoveredSymmetriesOf, type FileAnalysis, type LocatedFinding, type ModelAnalysis } from '../engine';
import type { SymmetryFix, TextEditSpan } from './types';

/** The tag's text after `@symmetry`: `invariant flip tol=0.05 learned`. */
export function tagText(declaration: DeclarableSymmetry & { learned?: boolean }): string {
  return `${declaration.mode} ${declaration.group}${declaration.tol !== undefined ? ` tol=${declaration.tol}` : ''}${declaration.learned ? ' learned' : ''}`;
}

function holderNode(sourceFile: ts.SourceFile, start: number): ts.Node | undefined {
  let node: ts.Node | undefined;
  const visit = (current: ts.Node): void => {
    if (current.getStart(sourceFile) <= start && start < current.end) {
      node = current;
      ts.forEachChild(current, visit);
    }
  };
  ts.forEachChild(sourceFile, visit);
  while (node && !HOLDER_KINDS.has(node.kind)) node = node.parent;
  return node;
}

function lineIndent(text: string, offset: number): { lineStart: number; indent: string } {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return { lineStart, indent: /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '' };
}

/**
 * Edits that add `@symmetry <text>` for each of `tags` to the JSDoc block of the model's holder
 * (the first block the declaration reader found in this file), or a new block above the holder.
 */
export function insertSymmetryTags(sourceFile: ts.SourceFile, graph: ModelGraph, tags: readonly string[]): TextEditSpan[] {
  if (tags.length === 0 || graph.nameSpan.file !== sourceFile.fileName) return [];
  const text = sourceFile.text;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const block = graph.docComments.find((comment) => comment.span.file === sourceFile.fileName);
  if (block) {
    const { indent } = lineIndent(text, block.span.start);
    const closing = block.span.end - 2;
    const body = text.slice(block.span.start + 3, closing);
    if (!body.includes('\n')) {
      // `/** text */` on one line becomes a block of lines.
      const kept = body.trim();
      const lines = [...(kept ? [kept] : []), ...tags.map((tag) => `@symmetry ${tag}`)];
      return [{ start: block.span.start, end: block.span.end, newText: `/**${eol}${lines.map((line) => `${indent} * ${line}`).join(eol)}${eol}${indent} */` }];
    }
    const closingLine = lineIndent(text, closing);
    const onlySpaceBefore = /^[ \t]*$/.test(text.slice(closingLine.lineStart, closing));
    const added = tags.map((tag) => `${indent} * @symmetry ${tag}${eol}`).join('');
    if (onlySpaceBefore) return [{ start: closingLine.lineStart, end: closingLine.lineStart, newText: added }];
    return [{ start: closing, end: closing, newText: `${eol}${added}${indent} ` }];
  }
  const holder = holderNode(sourceFile, graph.nameSpan.start);
  if (!holder) return [];
  const start = holder.getStart(sourceFile);
  const { indent } = lineIndent(text, start);
  const lines = tags.map((tag) => `${indent} * @symmetry ${tag}${eol}`).join('');
  return [{ start, end: start, newText: `/**${eol}${lines}${indent} */${eol}${indent}` }];
}

/** The models (one per variant) whose holder's name is at `offset` in this file. */
export function modelsNamedAt(analysis: FileAnalysis, fileName: string, offset: number): ModelAnalysis[] {
  const hit = analysis.models.find((model) => model.graph.nameSpan.file === fileName && model.graph.nameSpan.start <= offset && offset <= model.graph.nameSpan.end);
  if (!hit) return [];
  return analysis.models.filter((model) => model.graph.name === hit.graph.name && model.graph.nameSpan.start === hit.graph.nameSpan.start && model.graph.nameSpan.file === fileName);
}

/** "Declare the symmetries this model has": what every variant has exactly or approximately. */
export function declareDiscoveredFix(sourceFile: ts.SourceFile, variants: readonly ModelAnalysis[]): { title: string; edits: TextEditSpan[]; tags: string[] } | undefined {
  if (variants.length === 0) return undefined;
  const declared = variants[0].declarations.map((declaration) => ({ mode: declaration.mode, group: declaration.group }));
  const tags = declarableSymmetries(variants.map(discoveredSymmetriesOf), declared).map(tagText);
  const edits = insertSymmetryTags(sourceFile, variants[0].graph, tags);
  return edits.length > 0 ? { title: 'Declare the symmetries this model has', edits, tags } : undefined;
}

/**
 * `augmentation-not-declared`: declare the augmented group as learned on the trained model, so
 * its static breaks turn to info and the probe of trained weights tracks it. Only for a model
 * built in this file; a model imported from another file is declared there.
 */
export function declareLearnedFixes(sourceFile: ts.SourceFile, analysis: FileAnalysis, finding: LocatedFinding): SymmetryFix[] {
  const { model: name, group, mode } = finding.data;
  const model = analysis.models.find((candidate) => candidate.graph.name === name && candidate.graph.nameSpan.file === sourceFile.fileName);
  if (!model || !group || !mode) return [];
  const tag = tagText({ mode: mode as DeclarableSymmetry['mode'], group: group as DeclarableSymmetry['group'], tol: APPROXIMATE_DECLARATION_TOL, learned: true });
  const edits = insertSymmetryTags(sourceFile, model.graph, [tag]);
  return edits.length > 0 ? [{ title: `Declare "${tag}" on ${name}`, ruleId: finding.ruleId, isPreferred: true, edits }] : [];
}
