// A file's text cut down to what one model's analysis can read, for fixes that check themselves
// by analysing the fixed file again: the make-exact fix analysed the whole file up to nine times
// per finding, about a second each on a 3,000-line file, while the editor waited for its code
// actions. Offsets and lines are kept (what is cut becomes spaces), so positions and edits
// found in the slice hold in the whole text.
import { ts } from 'ts-morph';
import { IDENTIFIER_WORD } from '../engineEdit';

/** The names a top-level statement that only declares functions or classes declares; else undefined. */
function declaredCallables(statement: ts.Statement): string[] | undefined {
  if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) return statement.name ? [statement.name.text] : [];
  if (!ts.isVariableStatement(statement)) return undefined;
  const names: string[] = [];
  for (const declaration of statement.declarationList.declarations) {
    const value = declaration.initializer;
    if (!ts.isIdentifier(declaration.name) || !value) return undefined;
    if (!ts.isArrowFunction(value) && !ts.isFunctionExpression(value) && !ts.isClassExpression(value)) return undefined;
    names.push(declaration.name.text);
  }
  return names;
}

/**
 * The file's text with every top-level function, class and function-valued const blanked out unless the
 * statement holding `offset` reaches it by name, directly or through what it keeps. Everything
 * else (imports, constants, top-level code) stays: a model reads those by name too, and they are
 * cheap to analyse. Returns the text itself when nothing can be cut.
 */
export function sliceForModelAt(sourceFile: ts.SourceFile, offset: number): string {
  const text = sourceFile.text;
  const statements = sourceFile.statements;
  const callables = statements.map(declaredCallables);
  const kept = statements.map((statement, index) => callables[index] === undefined || (statement.pos <= offset && offset < statement.end));
  const wanted = new Set<string>();
  const addWords = (statement: ts.Statement) => {
    for (const word of text.slice(statement.pos, statement.end).match(IDENTIFIER_WORD) ?? []) wanted.add(word);
  };
  statements.forEach((statement, index) => kept[index] && addWords(statement));
  for (let grown = true; grown; ) {
    grown = false;
    statements.forEach((statement, index) => {
      if (kept[index] || !callables[index]!.some((name) => wanted.has(name))) return;
      kept[index] = true;
      addWords(statement);
      grown = true;
    });
  }
  if (kept.every(Boolean)) return text;
  const parts: string[] = [];
  let from = 0;
  statements.forEach((statement, index) => {
    if (kept[index]) return;
    parts.push(text.slice(from, statement.pos), text.slice(statement.pos, statement.end).replace(/[^\r\n\u2028\u2029]/g, ' '));
    from = statement.end;
  });
  parts.push(text.slice(from));
  return parts.join('');
}
