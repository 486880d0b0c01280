// Hover over a layer call: for each declared (mode, group) of its model, the symmetry state
// after that layer, and the layer's output shape when the analysis knows it. Hover over a
// model's name: the symmetries it has, declared or not (issue 9), computed only then.
import type { Hover } from 'vscode-languageserver/node';
import { MarkupKind } from 'vscode-languageserver/node';
import type { ts } from 'ts-morph';
import type { LayerNode, SourceSpan } from '../analysis/graph';
import { describeState, GROUPS, MODES } from '../analysis/symmetry';
import { describeInferredReason, inferredSymbol } from '../analysis/discoveredSymmetries';
import { discoveredSymmetriesOf, spanToLspRange, type FileAnalysis, type ModelAnalysis } from '../engine';
import { modelsNamedAt } from '../fixes/declarationTags';
import type { SourceProvider } from '../analysis/sourceProvider';
import { rangeOf } from './diagnostics';

interface LayerHit {
  model: ModelAnalysis;
  layer: LayerNode;
  /** The span in this file the cursor is in (the call, or a helper's call site). */
  span: SourceSpan;
}

function contains(span: SourceSpan, fileName: string, offset: number): boolean {
  return span.file === fileName && span.start <= offset && offset <= span.end;
}

/** The spans in this file that stand for a layer: its call, else its call sites here. */
function spansInFile(layer: LayerNode, fileName: string): SourceSpan[] {
  const spans: SourceSpan[] = [];
  if (layer.span.file === fileName) spans.push(layer.span);
  else spans.push(...layer.callStack.filter((site) => site.file === fileName));
  return spans;
}

/**
 * The layer under the cursor. The innermost call wins (a layer nested in another's call, such
 * as `bidirectional({layer: lstm(...)})`), and among several applications of one span (a
 * helper called twice, a loop) the first.
 */
export function findLayerAt(analysis: FileAnalysis, fileName: string, offset: number): LayerHit | undefined {
  let best: LayerHit | undefined;
  for (const model of analysis.models) {
    for (const layer of model.graph.layers) {
      for (const span of spansInFile(layer, fileName)) {
        if (!contains(span, fileName, offset)) continue;
        if (!best || span.end - span.start < best.span.end - best.span.start) best = { model, layer, span };
      }
    }
  }
  return best;
}

function renderShape(shape: (number | null)[] | undefined): string | undefined {
  if (!shape) return undefined;
  return `[batch, ${shape.map((dimension) => (dimension === null ? '?' : String(dimension))).join(', ')}]`.replace('[batch, ]', '[batch]');
}

function escapeTableCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/**
 * The same place in the other variants of the hit's model (SPEC 4): each variant is analysed
 * on its own, so the hover shows the state in each that has the layer.
 */
export function variantHits(analysis: FileAnalysis, hit: LayerHit): LayerHit[] {
  if (hit.model.graph.variant === undefined) return [hit];
  const hits: LayerHit[] = [];
  for (const model of analysis.models) {
    if (model === hit.model) {
      hits.push(hit);
      continue;
    }
    if (model.graph.name !== hit.model.graph.name || model.graph.nameSpan.start !== hit.model.graph.nameSpan.start) continue;
    const layer = model.graph.layers.find((other) =>
      spansInFile(other, hit.span.file).some((span) => span.start === hit.span.start && span.end === hit.span.end),
    );
    if (layer) hits.push({ model, layer, span: hit.span });
  }
  return hits;
}

export function layerHoverMarkdown(hit: LayerHit): string {
  const { model, layer } = hit;
  const lines: string[] = [];
  const applications = model.graph.layers.filter((other) => other.span.start === layer.span.start && other.span.file === layer.span.file).length;
  const variant = model.graph.variant !== undefined ? ` when \`${model.graph.variant}\`` : '';
  lines.push(`**${layer.kind}** \u2014 layer ${layer.id + 1} of ${model.graph.layers.length} in \`${model.graph.name}\`${variant}` + (applications > 1 ? ` (first of ${applications} applications)` : ''));
  lines.push('');
  if (model.inferences.length === 0) {
    lines.push('No `@symmetry` declared for this model.');
  } else {
    lines.push('| declaration | state after this layer |', '|---|---|');
    for (const inference of model.inferences) {
      const state = inference.layerStates[layer.id];
      const declared = `${inference.declaration.mode} ${inference.declaration.group}`;
      lines.push(`| ${escapeTableCell(declared)} | ${escapeTableCell(state ? describeState(state) : 'not analysed')} |`);
    }
  }
  const shape = renderShape(model.shapes[layer.output]);
  if (shape) lines.push('', `Output shape: \`${shape}\``);
  return lines.join('\n');
}

export function layerHover(analysis: FileAnalysis, sourceFile: ts.SourceFile, offset: number): Hover | null {
  const hit = findLayerAt(analysis, sourceFile.fileName, offset);
  if (!hit) return null;
  return {
    contents: { kind: MarkupKind.Markdown, value: variantHits(analysis, hit).map(layerHoverMarkdown).join('\n\n---\n\n') },
    range: rangeOf(sourceFile, hit.span.start, hit.span.end),
  };
}

/**
 * The table of a model's discovered symmetries: a row per group that acts on its input, a
 * column per mode, each cell how it holds at the output and why.
 */
export function modelHoverMarkdown(model: ModelAnalysis, lineOf: (span: SourceSpan) => number): string {
  const inferred = discoveredSymmetriesOf(model);
  const variant = model.graph.variant !== undefined ? ` when \`${model.graph.variant}\`` : '';
  const lines = [`**${model.graph.name}**${variant} \u2014 symmetries at its output, declared or not`, ''];
  if (inferred.length === 0) {
    lines.push('No group acts on its input (its shape is unknown or fits none).');
    return lines.join('\n');
  }
  lines.push('| group | invariant | equivariant |', '|---|---|---|');
  for (const group of GROUPS) {
    const cells = MODES.map((mode) => {
      const entry = inferred.find((item) => item.group === group && item.mode === mode);
      if (!entry) return undefined;
      const reason = describeInferredReason(model.graph, entry, lineOf);
      const declared = model.declarations.some((declaration) => declaration.group === group && declaration.mode === mode) ? ' (declared)' : '';
      return `${inferredSymbol(entry.state)} ${entry.state}${reason ? ` ${reason}` : ''}${declared}`;
    });
    if (cells.every((cell) => cell === undefined)) continue;
    lines.push(`| ${group} | ${cells.map((cell) => escapeTableCell(cell ?? '')).join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Hover on a model's name (each variant's table); null elsewhere. */
export function modelHover(analysis: FileAnalysis, sourceFile: ts.SourceFile, offset: number, provider: SourceProvider): Hover | null {
  const models = modelsNamedAt(analysis, sourceFile.fileName, offset);
  if (models.length === 0) return null;
  const lineOf = (span: SourceSpan): number => {
    const file = span.file === sourceFile.fileName ? sourceFile : provider.getSourceFile(span.file);
    return file ? spanToLspRange(file, span).start.line + 1 : 0;
  };
  const name = models[0].graph.nameSpan;
  return {
    contents: { kind: MarkupKind.Markdown, value: models.map((model) => modelHoverMarkdown(model, lineOf)).join('\n\n---\n\n') },
    range: rangeOf(sourceFile, name.start, name.end),
  };
}
