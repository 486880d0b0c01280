// One finding per place: merges the findings that several holders (models, or variants of one
// model) have at the same place with the same meaning into one finding that names its holders.
// A layer in a helper every builder calls is then reported once, naming the models in its
// related information; a finding that only some variants of a model have says which ones.
// Pure: the engine calls it after the rules, on the located findings of each model.
import type { SourceSpan } from './analysis/graph';
import type { Finding, FindingHolder, RelatedLocation, Severity } from './rules/rule';

/** One holder's findings, as the merge reads them. */
export interface HolderFindings<F extends Finding> {
  holder: FindingHolder;
  /** Where the holder is named (the model's name), for related information naming it. */
  span: SourceSpan;
  findings: readonly F[];
}

export interface MergeOptions<F extends Finding> {
  /**
   * The message with the holder's own words neutralised, so that messages differing only by the
   * model they name (`{{model}} declares...`) are one finding. Called only for findings of the
   * same rule at the same place whose messages differ. Default: the message itself.
   */
  meaningOf?(finding: F): string;
  /**
   * The message said of several models at once (`models` is "each of a, b and c" or "each of
   * 6 models"); called only when the merged findings' messages differ.
   */
  messageFor?(finding: F, models: string): string;
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Longest message a variant note may be put in front of (issue 8: one line of the Problems view). */
const MAX_NOTED_MESSAGE = 200;

/** Findings of the same rule at the same place with the same meaning, as they are collected. */
interface Group<F extends Finding> {
  first: F;
  members: { finding: F; holder: number }[];
  meaning?: string;
}

/**
 * The findings of all holders, each place and meaning once. A finding of one holder that is a
 * whole model (no variants, or its only one) is returned as the very same object (callers key
 * caches on it). Any other is a copy of its first holder's finding (so `modelName`, `layer` and
 * `data` still fit one model's graph, for fixes) with `models`, `holders`, the most severe
 * severity, a variant note when only some variants of a model have it, and related information
 * naming the holders. Order: first appearance, holder by holder.
 */
export function mergeFindings<F extends Finding>(byHolder: readonly HolderFindings<F>[], options: MergeOptions<F> = {}): F[] {
  const groups: Group<F>[] = [];
  const byStart = new Map<number, Group<F>[]>();
  const meaningOf = (group: Group<F>): string => (group.meaning ??= options.meaningOf ? options.meaningOf(group.first) : group.first.message);

  byHolder.forEach((entry, holder) => {
    for (const finding of entry.findings) {
      let bucket = byStart.get(finding.span.start);
      if (!bucket) {
        bucket = [];
        byStart.set(finding.span.start, bucket);
      }
      let target: Group<F> | undefined;
      let meaning: string | undefined;
      for (const group of bucket) {
        const other = group.first;
        if (other.ruleId !== finding.ruleId || other.span.end !== finding.span.end || other.span.file !== finding.span.file) continue;
        if (other.group !== finding.group || other.mode !== finding.mode) continue;
        if (other.message !== finding.message) {
          if (!options.meaningOf) continue;
          meaning ??= options.meaningOf(finding);
          if (meaningOf(group) !== meaning) continue;
        }
        target = group;
        break;
      }
      if (target) {
        target.members.push({ finding, holder });
      } else {
        const group: Group<F> = { first: finding, members: [{ finding, holder }] };
        bucket.push(group);
        groups.push(group);
      }
    }
  });

  const variantsOf = allVariants(byHolder);
  return groups.map((group) => {
    const only = group.members.length === 1 ? byHolder[group.members[0].holder].holder : undefined;
    // Fast path: one holder that is a whole model (no other variant to set it apart from).
    if (only && (only.variant === undefined || variantsOf.get(only.model)!.length === 1)) return group.first;
    return keptMerge(group, byHolder, variantsOf, options);
  });
}

/**
 * Merges made by earlier calls, per group's first finding, with all they were made from. The
 * engine hands back the very finding objects of the models an edit did not touch, so on a
 * keystroke most groups find their merge here.
 */
const mergesByFirst = new WeakMap<Finding, { inputs: unknown[]; merged: Finding }>();

/** What a group's merge is made of: the options, its findings, holders, holders' spans and models' variants. */
function mergeInputs<F extends Finding>(group: Group<F>, byHolder: readonly HolderFindings<F>[], variantsOf: Map<string, string[]>, options: MergeOptions<F>): unknown[] {
  const inputs: unknown[] = [options];
  for (const { finding, holder } of group.members) {
    const entry = byHolder[holder];
    inputs.push(finding, entry.holder.model, entry.holder.variant, entry.span, variantsOf.get(entry.holder.model)?.join('\u0000'));
  }
  return inputs;
}

function keptMerge<F extends Finding>(group: Group<F>, byHolder: readonly HolderFindings<F>[], variantsOf: Map<string, string[]>, options: MergeOptions<F>): F {
  const inputs = mergeInputs(group, byHolder, variantsOf, options);
  const kept = mergesByFirst.get(group.first);
  if (kept && kept.inputs.length === inputs.length && kept.inputs.every((input, index) => input === inputs[index])) return kept.merged as F;
  const merged = mergeGroup(group, byHolder, variantsOf, options);
  mergesByFirst.set(group.first, { inputs, merged });
  return merged;
}

/** Every variant label each model has among the holders (none for a model without variants). */
function allVariants(byHolder: readonly HolderFindings<Finding>[]): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const { holder } of byHolder) {
    if (holder.variant === undefined) continue;
    const labels = result.get(holder.model);
    if (!labels) result.set(holder.model, [holder.variant]);
    else if (!labels.includes(holder.variant)) labels.push(holder.variant);
  }
  return result;
}

function mergeGroup<F extends Finding>(
  group: Group<F>,
  byHolder: readonly HolderFindings<F>[],
  variantsOf: Map<string, string[]>,
  options: MergeOptions<F>,
): F {
  const holderIndexes = [...new Set(group.members.map((member) => member.holder))];
  const holders = holderIndexes.map((index) => byHolder[index].holder);
  const models = [...new Set(holders.map((holder) => holder.model))];
  const { first } = group;
  const note = variantNote(holders, models, variantsOf);
  // One holder (maybe twice, with equal messages) that needs no note: nothing to merge.
  if (holderIndexes.length === 1 && !note) return first;

  let severity = first.severity;
  for (const { finding } of group.members) {
    if (SEVERITY_RANK[finding.severity] < SEVERITY_RANK[severity]) severity = finding.severity;
  }

  let message = first.message;
  if (options.messageFor && group.members.some((member) => member.finding.message !== first.message)) {
    const subject = eachOfModels(models);
    message = options.messageFor(first, subject);
    // "{{model}} declares..." opens the sentence.
    if (message.startsWith(subject)) message = capitalise(message);
  }
  let related = mergedRelated(group, byHolder, holderIndexes, models, variantsOf);
  if (note) {
    // One line of the Problems view: a note that would make it too long goes to the related
    // information, at the model's name.
    const noted = `${capitalise(note)}: ${message}`;
    if (noted.length <= MAX_NOTED_MESSAGE) message = noted;
    else related = [{ span: byHolder[holderIndexes[0]].span, message: `only ${note}` }, ...related];
  }

  const merged: F = {
    ...first,
    severity,
    message,
    related,
    models,
    holders,
  };
  return merged;
}

/** "each of a, b and c" when short, else "each of 6 models": fits where one model's name was. */
export function eachOfModels(models: readonly string[]): string {
  const names = joinWords(models, 'and');
  return models.length <= 3 && names.length <= 48 ? `each of ${names}` : `each of ${models.length} models`;
}

/**
 * Which holders of a merged finding have it, relative to all the variants each model has:
 * "" when every variant of every model named has it; "when rnnType is 'lstm'" for one model;
 * "in a, and in b when rnnType is 'lstm'" for several.
 */
function variantNote(holders: readonly FindingHolder[], models: readonly string[], variantsOf: Map<string, string[]>): string {
  const partial = models.some((model) => partialVariants(model, holders, variantsOf) !== undefined);
  if (!partial) return '';
  return describeHolders(holders, models.length > 1, variantsOf);
}

/** The variants of `model` among `holders` when they are not all of its variants. */
function partialVariants(model: string, holders: readonly FindingHolder[], variantsOf: Map<string, string[]>): string[] | undefined {
  const all = variantsOf.get(model);
  if (!all) return undefined;
  const present = new Set<string>();
  for (const holder of holders) {
    if (holder.model !== model) continue;
    // A holder of this model without a variant stands for the whole model.
    if (holder.variant === undefined) return undefined;
    present.add(holder.variant);
  }
  return all.every((label) => present.has(label)) ? undefined : all.filter((label) => present.has(label));
}

/**
 * Names a set of holders: "a", "a when x is 'y'", "when x is 'y'" (one model, `withModel`
 * false), "a, and b when x is 'y'" for several models.
 */
function describeHolders(holders: readonly FindingHolder[], withModel: boolean, variantsOf: Map<string, string[]>): string {
  const models = [...new Set(holders.map((holder) => holder.model))];
  const parts = models.map((model) => {
    const variants = partialVariants(model, holders, variantsOf);
    const when = variants ? `when ${describeVariants(commonDecisions(variants, variantsOf.get(model)!))}` : '';
    if (!withModel) return when;
    return when ? `in ${model} ${when}` : `in ${model}`;
  });
  return parts.filter(Boolean).join(', and ');
}

/**
 * Related information of a merged finding: a summary naming the models ("in 3 models: a, b,
 * c"); the items every holder has, once; then each item only some holders have, prefixed with
 * who has it ("in buildSmall: declared here: ..."), and a plain "in <model>" at the model's
 * name for a model that has no item of its own.
 */
function mergedRelated<F extends Finding>(
  group: Group<F>,
  byHolder: readonly HolderFindings<F>[],
  holderIndexes: readonly number[],
  models: readonly string[],
  variantsOf: Map<string, string[]>,
): RelatedLocation[] {
  const items = new Map<string, { item: RelatedLocation; holders: Set<number> }>();
  for (const { finding, holder } of group.members) {
    for (const item of finding.related) {
      const key = `${item.span.file}\u0000${item.span.start}\u0000${item.span.end}\u0000${item.message}`;
      const known = items.get(key);
      if (known) known.holders.add(holder);
      else items.set(key, { item, holders: new Set([holder]) });
    }
  }
  const shared: RelatedLocation[] = [];
  const own: RelatedLocation[] = [];
  const named = new Set<string>();
  for (const { item, holders } of items.values()) {
    if (holders.size === holderIndexes.length) {
      shared.push(item);
      continue;
    }
    const owners = [...holders].map((index) => byHolder[index].holder);
    for (const owner of owners) named.add(owner.model);
    const who = describeHolders(owners, models.length > 1, variantsOf);
    own.push(who ? { span: item.span, message: `${who}: ${item.message}` } : item);
  }
  const result: RelatedLocation[] = [];
  if (models.length > 1) {
    result.push({ span: byHolder[holderIndexes[0]].span, message: `in ${models.length} models: ${listWithin(models, 120)}` });
    for (const model of models) {
      if (named.has(model)) continue;
      const index = holderIndexes.find((candidate) => byHolder[candidate].holder.model === model)!;
      const holders = holderIndexes.map((candidate) => byHolder[candidate].holder).filter((holder) => holder.model === model);
      own.push({ span: byHolder[index].span, message: describeHolders(holders, true, variantsOf) });
    }
  }
  return [...result, ...shared, ...own];
}

/**
 * The decisions some variants share and no other variant has: `modelType === 'mlp'` for the
 * variants `modelType === 'mlp' && useDropout` and `modelType === 'mlp' && !useDropout` out
 * of a model that also has `modelType === 'cnn' && ...`. The labels themselves otherwise.
 */
export function commonDecisions(present: readonly string[], all: readonly string[]): string[] {
  if (present.length < 2) return [...present];
  const termsOf = (label: string) => (/\|\||\(/.test(label) ? [label] : label.split(' && '));
  let common = termsOf(present[0]);
  for (const label of present.slice(1)) common = common.filter((term) => termsOf(label).includes(term));
  if (common.length === 0) return [...present];
  const covered = all.filter((label) => common.every((term) => termsOf(label).includes(term)));
  return covered.length === present.length ? [common.join(' && ')] : [...present];
}

/** `rnnType === 'lstm'` -> `rnnType is 'lstm'`: a variant's condition as words. */
export function describeVariant(label: string): string {
  return label
    .replace(/(^|[\s(])!(?=[\w$])/g, '$1not ')
    .replace(/\s*!==?\s*/g, ' is not ')
    .replace(/\s*===?\s*/g, ' is ')
    .replace(/\s*&&\s*/g, ' and ')
    .replace(/\s*\|\|\s*/g, ' or ')
    .trim();
}

const EQUALITY = /^\s*([\w$.]+)\s*===?\s*(.+?)\s*$/;

/** Several variants in words: "rnnType is 'lstm' or 'gru'" when they test one name. */
export function describeVariants(labels: readonly string[]): string {
  const tests = labels.map((label) => EQUALITY.exec(label));
  if (labels.length > 1 && tests.every((test) => test !== null && test[1] === tests[0]![1] && !/&&|\|\||[!=]=/.test(test[2]))) {
    return `${tests[0]![1]} is ${joinWords(tests.map((test) => test![2]), 'or')}`;
  }
  return labels.map(describeVariant).join(', or ');
}

function joinWords(words: readonly string[], conjunction: string): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} ${conjunction} ${words[words.length - 1]}`;
}

/**
 * "a, b, c" cut to about `limit` characters, saying how many were left out. ASCII on purpose: one
 * character outside it makes the whole diagnostics report a two-byte string, several times
 * slower to send (UTF-8 encoding on stdio, serialization on VS Code's IPC transport).
 */
function listWithin(words: readonly string[], limit: number): string {
  let text = '';
  for (let index = 0; index < words.length; index++) {
    const next = text ? `${text}, ${words[index]}` : words[index];
    if (next.length > limit && text) return `${text} and ${words.length - index} more`;
    text = next;
  }
  return text;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
