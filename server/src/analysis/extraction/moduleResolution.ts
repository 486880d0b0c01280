// Resolves import specifiers of user code to file names: relative paths as TypeScript does
// (extensions, index files, `.js` written for a `.ts` file), and, lazily, tsconfig `paths`.
import { ts } from 'ts-morph';
import * as path from 'node:path';
import type { SourceProvider } from '../sourceProvider';

/** The packages whose namespace is (part of) tfjs's `tf`; the backends and tfjs-vis are not. */
export const TFJS_MODULES = new Set([
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  '@tensorflow/tfjs-layers',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-converter',
  '@tensorflow/tfjs-data',
]);

export const LIBRARY_MODULES = new Set(['symmetry-lint-layers', '@symmetry-lint/layers']);

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts'];

/** The compiler options of the nearest tsconfig.json, per folder; shared across calls. */
const compilerOptionsByFolder = new Map<string, ts.CompilerOptions | undefined>();

/** The file names a relative specifier resolved to `base` may mean, in TypeScript's order. */
export function candidatesFor(base: string): string[] {
  const candidates = [base];
  // TypeScript maps a `.js` specifier onto the `.ts` source that compiles to it.
  const jsMatch = /\.(m|c)?jsx?$/.exec(base);
  if (jsMatch) {
    const stem = base.slice(0, base.length - jsMatch[0].length);
    const tsExt = jsMatch[0].replace('js', 'ts');
    candidates.push(stem + tsExt, stem + '.tsx', stem + '.ts');
  }
  for (const ext of SOURCE_EXTENSIONS) candidates.push(base + ext);
  for (const ext of SOURCE_EXTENSIONS) candidates.push(path.join(base, 'index' + ext));
  return candidates;
}

function normalise(fileName: string): string {
  return fileName.replace(/\\/g, '/');
}

/** A relative specifier resolved against the importing file, or undefined when no file exists. */
export function resolveRelative(
  specifier: string,
  importingFile: string,
  provider: SourceProvider,
): ts.SourceFile | undefined {
  const base = specifier.startsWith('/')
    ? specifier
    : normalise(path.posix.join(path.posix.dirname(normalise(importingFile)), specifier));
  for (const candidate of candidatesFor(base)) {
    const file = provider.getSourceFile(candidate);
    if (file) return file;
  }
  return undefined;
}

function compilerOptionsFor(folder: string): ts.CompilerOptions | undefined {
  if (compilerOptionsByFolder.has(folder)) return compilerOptionsByFolder.get(folder);
  let options: ts.CompilerOptions | undefined;
  const configPath = ts.findConfigFile(folder, ts.sys.fileExists, 'tsconfig.json');
  if (configPath) {
    const read = ts.readConfigFile(configPath, ts.sys.readFile);
    if (!read.error) {
      const parsed = ts.convertCompilerOptionsFromJson(
        (read.config as { compilerOptions?: unknown }).compilerOptions ?? {},
        path.dirname(configPath),
      );
      options = parsed.options;
      if (!options.baseUrl && options.paths) options.pathsBasePath = path.dirname(configPath);
    }
  }
  compilerOptionsByFolder.set(folder, options);
  return options;
}

/** Non-relative user specifiers (`@app/helpers` through tsconfig `paths`). Only called lazily. */
export function resolveNonRelative(
  specifier: string,
  importingFile: string,
  provider: SourceProvider,
): ts.SourceFile | undefined {
  const options = compilerOptionsFor(path.dirname(importingFile));
  if (!options) return undefined;
  try {
    const resolved = ts.resolveModuleName(specifier, importingFile, options, ts.sys).resolvedModule;
    if (!resolved || resolved.isExternalLibraryImport) return undefined;
    return provider.getSourceFile(normalise(resolved.resolvedFileName));
  } catch {
    return undefined;
  }
}

export function resolveSpecifier(
  specifier: string,
  importingFile: string,
  provider: SourceProvider,
): ts.SourceFile | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    return resolveRelative(specifier, importingFile, provider);
  }
  return resolveNonRelative(specifier, importingFile, provider);
}
