// What a rule is: metadata, named messages, a docs link derived from its id, and a check
// that reads inferred states and reports findings. Rules never parse, infer or touch LSP.
/// <reference types="node" />
// (Node types: the report page's DOM-only type check reaches this file through protocol.ts.)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AugmentedModel } from '../analysis/augmentation';
import type { LayerNode, ModelGraph, OrphanHolder, SourceSpan } from '../analysis/graph';
import type { DeclarationInference, DeclarationProblem, GroupName, Mode, ShapeTable, SymmetryDeclaration } from '../analysis/symmetry';

export type Severity = 'error' | 'warning' | 'info';
/** A user's setting for a rule: a severity, or `off`. */
export type SeverityOverride = Severity | 'off';

/**
 * The rule pages shipped with this copy (server/dist/docs/rules in the npm package,
 * client/dist/docs/rules in the .vsix, docs/rules in the source tree): links to them work
 * offline and always describe the installed version.
 */
function shippedRuleDocsDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'docs', 'rules');
    if (fs.existsSync(path.join(candidate, 'analysis-gap.md'))) return candidate;
    if (path.dirname(dir) === dir) return path.join(__dirname, 'docs', 'rules');
  }
}

let docsBaseUrl: string | undefined;

/**
 * Where rule pages are published, for when the project has a public home
 * (`symmetryLint.docs.baseUrl`, `--docs-base-url`); empty means the shipped pages.
 */
export function setDocsBaseUrl(url: string | undefined): void {
  docsBaseUrl = url && url.trim() ? (url.trim().endsWith('/') ? url.trim() : `${url.trim()}/`) : undefined;
}

let shippedBase: string | undefined;

/** The folder of the rule pages, with a trailing slash. */
export function ruleDocsBaseUrl(): string {
  if (docsBaseUrl) return docsBaseUrl;
  shippedBase ??= pathToFileURL(shippedRuleDocsDir()).href.replace(/\/?$/, '/');
  return shippedBase;
}

export function ruleDocsUrl(ruleId: string): string {
  return `${ruleDocsBaseUrl()}${ruleId}.md`;
}

export interface RelatedLocation {
  span: SourceSpan;
  message: string;
}

/** Who has a finding: a model, and which of its variants (SPEC 4) when it has several. */
export interface FindingHolder {
  model: string;
  /** The variant's label, the condition that picks its path (`rnnType === 'lstm'`). */
  variant?: string;
}

/** One thing a rule found; positions are 0-based offsets (the engine adds lines and columns). */
export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  /** The id of the named message the text came from (for tests and fixes). */
  messageId: string;
  span: SourceSpan;
  related: RelatedLocation[];
  /** The declaration this finding is about, when there is one. */
  group?: GroupName;
  mode?: Mode;
  /** The model it belongs to, by name (the first of `models` on a merged finding). */
  modelName?: string;
  /** Set on a probe's finding about one variant of a model (SPEC 4): the variant's label. */
  modelVariant?: string;
  /**
   * Set only on a finding the engine merged from several holders (server/src/findingMerge.ts):
   * every model that has it, in file order.
   */
  models?: string[];
  /** Set only on a merged finding: each holder (model, and variant when it has several) that has it. */
  holders?: FindingHolder[];
  /** The layer to blame, by id in the model's graph, for fixes and the probe. */
  layer?: number;
  /** Values that filled the message, for fixes. */
  data: Record<string, string>;
}

export interface RuleMeta<MessageIds extends string> {
  description: string;
  defaultSeverity: Severity;
  /** The preferred fix of SPEC section 7, in words. */
  preferredFix: string;
  messages: Record<MessageIds, string>;
}

export interface ReportDescriptor<MessageIds extends string> {
  messageId: MessageIds;
  data?: Record<string, string | number>;
  span: SourceSpan;
  related?: RelatedLocation[];
  group?: GroupName;
  mode?: Mode;
  layer?: number;
  /** Overrides the default severity (e.g. info under an approximate declaration). */
  severity?: Severity;
}

/** What a rule sees of one model. */
export interface ModelRuleContext<MessageIds extends string> {
  model: ModelGraph;
  shapes: ShapeTable;
  inferences: DeclarationInference[];
  /** Where diagnostics for a layer go in the model's file (see `LayerNode.callStack`). */
  layerSpan(layer: LayerNode): SourceSpan;
  report(descriptor: ReportDescriptor<MessageIds>): void;
  /** The 1-based line of a span's start, for messages (`flatten at line 41`). */
  lineOf(span: SourceSpan): number;
}

/** A `@symmetry` problem, from the file's doc comments or from a `--symmetry` argument. */
export interface FileDeclarationProblem {
  problem: DeclarationProblem;
  /** The raw `--symmetry` value when the problem is in a command-line declaration. */
  commandLineText?: string;
}

/** What a rule sees of a whole file, outside any one model (declaration problems, orphans). */
export interface FileRuleContext<MessageIds extends string> {
  fileName: string;
  declarationProblems: FileDeclarationProblem[];
  /** Holders with a `@symmetry` tag but no model, with the declarations parsed from them. */
  orphans: { holder: OrphanHolder; declarations: SymmetryDeclaration[] }[];
  /** Augmentations of the training inputs of analysed models in this file (issue 9). */
  augmentations?: AugmentedModel[];
  report(descriptor: ReportDescriptor<MessageIds>): void;
  lineOf(span: SourceSpan): number;
}

export interface Rule<MessageIds extends string = string> {
  id: string;
  meta: RuleMeta<MessageIds>;
  docsUrl: string;
  checkModel(context: ModelRuleContext<MessageIds>): void;
  /** File-level findings, once per file; most rules have none. */
  checkFile?(context: FileRuleContext<MessageIds>): void;
}

/** Defines a rule; the docs link is derived from the id so it cannot drift. */
export function createRule<MessageIds extends string>(definition: {
  id: string;
  meta: RuleMeta<MessageIds>;
  checkModel(context: ModelRuleContext<MessageIds>): void;
  checkFile?(context: FileRuleContext<MessageIds>): void;
}): Rule<MessageIds> {
  return { ...definition, docsUrl: ruleDocsUrl(definition.id) };
}

/** Fills `{{name}}` placeholders of a named message. */
export function formatMessage(template: string, data: Record<string, string | number> = {}): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) =>
    key in data ? String(data[key]) : whole,
  );
}
