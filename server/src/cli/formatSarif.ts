// The `--format sarif` output: a SARIF 2.1.0 log with one run, the rules that can fire as
// tool.driver.rules, and each finding as a result with its location and related locations
// (paths relative to %SRCROOT%, the working folder).
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import { ruleDocsUrl, type Severity } from '../rules/rule';
import { allFindings, type FileReport, type ReportLocation } from './report';

/** What SARIF's rule table says about a rule. */
export interface RuleCatalogEntry {
  id: string;
  description: string;
  defaultSeverity: Severity;
}

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const SOURCE_ROOT = '%SRCROOT%';

function sarifLevel(severity: Severity): Sarif.Result.level {
  return severity === 'info' ? 'note' : severity;
}

function artifactUri(relativePath: string): string {
  return relativePath.split('/').map(encodeURIComponent).join('/');
}

function physicalLocation(location: ReportLocation): Sarif.PhysicalLocation {
  return {
    artifactLocation: { uri: artifactUri(location.path), uriBaseId: SOURCE_ROOT },
    region: { startLine: location.line, startColumn: location.column, endLine: location.endLine, endColumn: location.endColumn },
  };
}

/** The run's rule table: the catalog, then any rule a result names that the catalog lacks. */
export interface SarifRuleTable {
  rules: RuleCatalogEntry[];
  index: Map<string, number>;
}

/** One file's results; adds to `table` the rules they name that it lacks. */
export function formatSarifFile(file: FileReport, table: SarifRuleTable): Sarif.Result[] {
  const results: Sarif.Result[] = [];
  for (const { json, related } of allFindings(file)) {
    let ruleIndex = table.index.get(json.ruleId);
    if (ruleIndex === undefined) {
      // Rules the catalog does not know (a rule added later) still get an entry, so every
      // result's ruleIndex points somewhere.
      ruleIndex = table.rules.length;
      table.rules.push({ id: json.ruleId, description: json.ruleId, defaultSeverity: json.severity });
      table.index.set(json.ruleId, ruleIndex);
    }
    const result: Sarif.Result = {
      ruleId: json.ruleId,
      ruleIndex,
      level: sarifLevel(json.severity),
      message: { text: json.message },
      locations: [physicalLocationOf(file.path, json)],
    };
    if (related.length > 0) {
      result.relatedLocations = related.map((item, id) => ({
        id,
        physicalLocation: physicalLocation(item.location),
        message: { text: item.message },
      }));
    }
    if (json.group) result.properties = { group: json.group };
    results.push(result);
  }
  return results;
}

export function formatSarif(
  files: readonly FileReport[],
  catalog: readonly RuleCatalogEntry[],
  tool: { name: string; version: string; informationUri: string },
  cwd: string,
): Sarif.Log {
  const table: SarifRuleTable = { rules: [...catalog], index: new Map(catalog.map((rule, i) => [rule.id, i])) };
  const results = files.flatMap((file) => formatSarifFile(file, table));
  return sarifLog(table, results, tool, cwd);
}

/** The log of one run from its rule table and results. */
export function sarifLog(
  table: SarifRuleTable,
  results: Sarif.Result[],
  tool: { name: string; version: string; informationUri: string },
  cwd: string,
): Sarif.Log {
  const root = pathToFileURL(cwd).href;
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: tool.name,
            version: tool.version,
            informationUri: tool.informationUri,
            rules: table.rules.map(
              (rule): Sarif.ReportingDescriptor => ({
                id: rule.id,
                shortDescription: { text: rule.description },
                helpUri: ruleDocsUrl(rule.id),
                defaultConfiguration: { level: sarifLevel(rule.defaultSeverity) },
              }),
            ),
          },
        },
        originalUriBaseIds: { [SOURCE_ROOT]: { uri: root.endsWith('/') ? root : `${root}/` } },
        results,
      },
    ],
  };
}

function physicalLocationOf(filePath: string, json: { line: number; column: number; endLine: number; endColumn: number }): Sarif.Location {
  return { physicalLocation: physicalLocation({ path: filePath, ...json }) };
}
