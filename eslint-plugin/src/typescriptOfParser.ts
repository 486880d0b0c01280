// The TypeScript the plugin's copy of the engine parses with. The engine imports `ts` from
// ts-morph, which carries its own TypeScript; inside ESLint, @typescript-eslint/parser has
// already loaded the `typescript` package, and loading a second compiler was about a third of
// the plugin's cost over ESLint alone (docs/benchmarks.md). The plugin's bundle maps the engine's
// `ts-morph` import here (scripts/build.js); without a `typescript` package it falls back to
// ts-morph's own.
import type * as TypeScript from 'typescript';

function loadTypescript(): typeof TypeScript {
  try {
    return require('typescript') as typeof TypeScript;
  } catch {
    // A name the bundler does not map back to this module.
    const tsMorph = 'ts-morph';
    return (require(tsMorph) as { ts: typeof TypeScript }).ts;
  }
}

export const ts = loadTypescript();
