// What the built server, CLI and engine load in place of 'ts-morph' (scripts/build.js aliases
// the package to this module). The code only ever uses ts-morph's `ts`, which is
// @ts-morph/common's own copy of the TypeScript compiler; loading that file alone skips
// ts-morph's wrapper library and its bundled lib.d.ts texts: about 20 MB of resident memory in
// every server and 0.1 s of every start. The same module, so the same functions, as `require('ts-morph').ts`.
import type { ts as TypeScript } from 'ts-morph';

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const ts = require('@ts-morph/common/dist/typescript.js') as typeof TypeScript;
