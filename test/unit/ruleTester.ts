// Test harness for rules, in the style of typescript-eslint's RuleTester: `RuleTester.run`
// analyses source code with the real engine and checks one rule's findings at exact 1-based
// positions. `handBuiltModel` builds graphs and inferences by hand, to test rules alone.
import { strict as assert } from 'node:assert';
import { parseDeclarations } from '../../server/src/analysis/declarations';
import type { LayerNode, ModelGraph, SourceSpan } from '../../server/src/analysis/graph';
import type { Cause, CauseCode, DeclarationInference, Fall, FallLevel, SymmetryDeclaration } from '../../server/src/analysis/symmetry';
import type { Rule, SeverityOverride } from '../../server/src/rules/rule';
import type { Finding } from '../../server/src/rules/rule';
import { runModelRules } from '../../server/src/rules/runner';
import type { AnalysisOptions, FileAnalysis } from '../../server/src/engine';

export const FIXTURE_FILE = '/virtual/model.ts';

/** 1-based line and column of an offset, counted here independently of the engine. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

export interface ExpectedError {
  messageId: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** Substrings the message must contain. */
  messageIncludes?: string[];
  severity?: 'error' | 'warning' | 'info';
}

export interface ValidCase {
  code: string;
  fileName?: string;
  options?: AnalysisOptions;
  name?: string;
}

export interface InvalidCase extends ValidCase {
  errors: ExpectedError[];
}

function describeFinding(text: string, finding: Finding): string {
  const start = positionOf(text, finding.span.start);
  const end = positionOf(text, finding.span.end);
  return `${finding.messageId} ${start.line}:${start.column}-${end.line}:${end.column} ${finding.message}`;
}

export function actualErrors(text: string, findings: Finding[]): ExpectedError[] {
  return findings.map((finding) => {
    const start = positionOf(text, finding.span.start);
    const end = positionOf(text, finding.span.end);
    return { messageId: finding.messageId, line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
  });
}

/** Compares one rule's findings with the expected errors, positions exactly, in order. */
export function assertErrors(text: string, findings: Finding[], expected: ExpectedError[]): void {
  const listing = findings.map((f) => describeFinding(text, f)).join('\n') || '(none)';
  assert.deepEqual(
    actualErrors(text, findings),
    expected.map(({ messageId, line, column, endLine, endColumn }) => ({ messageId, line, column, endLine, endColumn })),
    `findings:\n${listing}`,
  );
  expected.forEach((error, index) => {
    for (const part of error.messageIncludes ?? []) assert.ok(findings[index].message.includes(part), `message "${findings[index].message}" lacks "${part}"`);
    if (error.severity) assert.equal(findings[index].severity, error.severity, findings[index].message);
    assert.ok(!/\{\{/.test(findings[index].message), `unfilled placeholder in "${findings[index].message}"`);
  });
}

export const RuleTester = {
  /** Defines mocha tests: valid code gives no finding of `rule`, invalid code exactly `errors`. */
  run(rule: Rule, cases: { valid: (string | ValidCase)[]; invalid: InvalidCase[] }): void {
    // Loaded on first use so the hand-built rule tests do not depend on extraction and inference.
    const analyze = (c: ValidCase): FileAnalysis => {
      const { analyzeText } = require('../../server/src/engine') as typeof import('../../server/src/engine');
      return analyzeText(c.fileName ?? FIXTURE_FILE, c.code, c.options);
    };
    describe(rule.id, () => {
      describe('valid', () => {
        for (const item of cases.valid) {
          const c = typeof item === 'string' ? { code: item } : item;
          it(c.name ?? c.code.trim().split('\n').slice(0, 3).join(' ').slice(0, 100), () => {
            const findings = analyze(c).findings.filter((f) => f.ruleId === rule.id);
            assertErrors(c.code, findings, []);
          });
        }
      });
      describe('invalid', () => {
        for (const c of cases.invalid) {
          it(c.name ?? c.code.trim().split('\n').slice(0, 3).join(' ').slice(0, 100), () => {
            const findings = analyze(c).findings.filter((f) => f.ruleId === rule.id);
            assertErrors(c.code, findings, c.errors);
            // The engine's own 0-based positions agree with the independent count.
            for (const finding of findings) {
              const start = positionOf(c.code, finding.span.start);
              const end = positionOf(c.code, finding.span.end);
              assert.deepEqual(
                [finding.line + 1, finding.character + 1, finding.endLine + 1, finding.endCharacter + 1],
                [start.line, start.column, end.line, end.column],
              );
            }
          });
        }
      });
    });
  },
};

// ---------------------------------------------------------------------------------------------
// Hand-built models

export interface HandBuiltModel {
  text: string;
  graph: ModelGraph;
  declarations: SymmetryDeclaration[];
  /** Layer ids by the order their kinds were listed. */
  layers: LayerNode[];
}

/**
 * A sequential graph over `text`: each listed kind is found (in order) as a word in the text and
 * becomes a layer whose name span is that word; the JSDoc block before `function` gives the
 * declarations, and the function's name is the model's name.
 */
export function handBuiltModel(text: string, kinds: string[]): HandBuiltModel {
  const span = (start: number, end: number): SourceSpan => ({ file: FIXTURE_FILE, start, end });
  const nameMatch = /function\s+(\w+)/.exec(text);
  assert.ok(nameMatch, 'the fixture needs a function');
  const nameStart = nameMatch.index + nameMatch[0].length - nameMatch[1].length;
  const layers: LayerNode[] = [];
  let cursor = nameStart;
  kinds.forEach((kind, id) => {
    const found = new RegExp(`\\b${kind}\\b`, 'g');
    found.lastIndex = cursor;
    const match = found.exec(text);
    assert.ok(match, `layer ${kind} not found after offset ${cursor}`);
    cursor = match.index + kind.length;
    layers.push({
      id,
      kind,
      origin: 'tfjs',
      config: { values: {} },
      inputs: [id],
      output: id + 1,
      span: span(match.index, cursor),
      nameSpan: span(match.index, cursor),
      callStack: [],
    });
  });
  const docMatch = /\/\*\*[\s\S]*?\*\//.exec(text);
  const docComments = docMatch ? [{ text: docMatch[0], span: span(docMatch.index, docMatch.index + docMatch[0].length) }] : [];
  const declarations = docComments.flatMap((comment) => parseDeclarations(comment).declarations);
  const graph: ModelGraph = {
    name: nameMatch[1],
    nameSpan: span(nameStart, nameStart + nameMatch[1].length),
    creationSpan: span(nameStart, nameStart),
    construction: 'sequential',
    inputs: [{ tensor: 0, shape: [32, 32, 3], span: span(nameStart, nameStart) }],
    tensors: Array.from({ length: kinds.length + 1 }, (_, id) => (id === 0 ? { id } : { id, producer: id - 1 })),
    layers,
    outputs: [kinds.length],
    gaps: [],
    docComments,
  };
  return { text, graph, declarations, layers };
}

/** A cause at a layer of a hand-built model. */
export function causeAt(model: HandBuiltModel, code: CauseCode, layer: number, detail = `detail of ${code}`, partner?: number): Cause {
  return {
    code,
    at: { layer, kind: model.layers[layer].kind },
    ...(partner !== undefined ? { partner: { layer: partner, kind: model.layers[partner].kind } } : {}),
    detail,
  };
}

export function fallOf(level: FallLevel, cause: Cause, repeats: Cause[] = []): Fall {
  return { level, cause, repeats };
}

/** An inference that records only what rules read: falls, gaps and a mismatch. */
export function inferenceOf(
  declaration: SymmetryDeclaration,
  parts: { falls?: Fall[]; gaps?: Cause[]; mismatch?: DeclarationInference['mismatch'] } = {},
): DeclarationInference {
  return {
    declaration,
    layerStates: [],
    outputStates: [],
    falls: parts.falls ?? [],
    gaps: parts.gaps ?? [],
    ...(parts.mismatch ? { mismatch: parts.mismatch } : {}),
  };
}

/** Runs rules on a hand-built model and returns `ruleId`'s findings. */
export function runOnHandBuilt(
  model: HandBuiltModel,
  inferences: DeclarationInference[],
  ruleId: string,
  severities?: Record<string, SeverityOverride>,
): Finding[] {
  const findings = runModelRules({
    model: model.graph,
    shapes: [],
    inferences,
    lineOf: (span) => positionOf(model.text, span.start).line,
    severities,
  });
  return findings.filter((finding) => finding.ruleId === ruleId);
}
