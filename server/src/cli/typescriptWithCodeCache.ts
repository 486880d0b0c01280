// What the CLI's bundles (cli.js and checkWorker.js) load in place of 'ts-morph'
// (scripts/build.js aliases the package to this module): ts-morph's TypeScript compiler alone, as
// server/src/typescriptRuntime.ts loads it, but compiled through the CLI's V8 code cache
// (codeCache.ts), which takes about 0.2 s of CPU off each thread's start.
import type { ts as TypeScript } from 'ts-morph';
import { requireWithCodeCache } from './codeCache';

export const ts = requireWithCodeCache(require.resolve('@ts-morph/common/dist/typescript.js')) as typeof TypeScript;
