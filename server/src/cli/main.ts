// Entry of the `symmetry-lint` command: `check` (lint files for CI) and `lsp` (the language
// server for any LSP client). Exit codes: 0 no error finding, 1 an error finding, 2 usage or
// internal error, with the message on stderr.
import serverPackage from '../../package.json';
import { DiscoveryError } from '../workspace/discovery';
import { ProbeHost } from '../probe/probeHost';
import { parseConcurrency, type ConcurrencySetting } from './concurrency';
import { BlockWriter } from './blockWriter';
import { CheckWorkerThreads } from './checkThreads';
import { setV8FlagsForProcess } from './codeCache';
import { ruleDocsBaseUrl, setDocsBaseUrl } from '../rules/rule';
import { OUTPUT_FORMATS, UsageError, type OutputFormat } from './usage';
import { CHECK_YOUNG_GENERATION_CAP_BYTES, keepYoungGenerationAtInitialSize } from '../youngGeneration';
// The static analysis (check.ts, ruleCatalog.ts: TypeScript and ts-morph) is imported only once
// the arguments are parsed, so that a --probe run starts its tfjs worker first.

/**
 * V8 flags of `check` (see where they are set). `--no-flush-bytecode`: the code cache is written
 * at the exit of the run that found none, and V8 had by then dropped the bytecode of functions
 * not run for a while (TypeScript's start-up). After a first run of 16,000 files the cache held
 * half of what a short run's does, and every later run paid for it: 200 files took 15-20% more
 * time and 16-25 MB more memory. Keeping the bytecode cost nothing measurable (docs/decisions.md).
 */
const CHECK_V8_FLAGS = '--heap-growing-percent=20 --no-flush-bytecode';

const HELP = `Usage:
  symmetry-lint check <files or folders...> [options]
  symmetry-lint lsp --stdio | --node-ipc | --socket=<port>
  symmetry-lint --help | --version

Checks TensorFlow.js model code against the symmetries declared with @symmetry tags.

Options of check:
  --symmetry "<mode> <group> [axis=<int>] [tol=<number>] [adjacency=<int>]"
                       declare a symmetry for every model found (repeatable);
                       adjacency=<k> (permutation): input k is an [N,T,T] adjacency
                       permuted on both axes with the set
  --format text|json|sarif
                       output format (default text)
  --probe              also run numeric probes of every declared model (tfjs, in a worker),
                       built from the literal layer configurations: runs none of your code
  --probe-execute      probe by RUNNING each model file's own model-building code (for models
                       whose configuration is not static); implies --probe. Only use it on
                       code you trust: without this flag no model code is executed
  --infer              add every model's discovered symmetries, declared or not: how each
                       group that acts on its input holds at its output (JSON: inferred)
  --fix                apply each finding's preferred fix to the files, then check them
  --docs-base-url <url>
                       where the rule pages are published (SARIF helpUri); by default the
                       pages shipped in this package
  --concurrency <n|auto|off>
                       check files on n threads (the main one and n - 1 workers), on a
                       number chosen from the CPUs and the files (auto), or on the main
                       thread (off, the default), as ESLint's flag; the output is the
                       same whatever the count

Folders are searched for .ts .tsx .js .jsx .mjs .cjs files (not .d.ts), skipping node_modules
and files that .gitignore ignores.

Exit codes: 0 no error found, 1 an error found, 2 usage or internal error.
`;

interface ParsedCheck {
  probe?: boolean;
  probeExecute?: boolean;
  fix?: boolean;
  infer?: boolean;
  docsBaseUrl?: string;
  inputs: string[];
  symmetry: string[];
  format: OutputFormat;
  concurrency: ConcurrencySetting;
}

function parseCheckArguments(args: readonly string[]): ParsedCheck {
  const parsed: ParsedCheck = { inputs: [], symmetry: [], format: 'text', concurrency: 'off' };
  let onlyPaths = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (onlyPaths || !arg.startsWith('-') || arg === '-') {
      parsed.inputs.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPaths = true;
      continue;
    }
    const equals = arg.indexOf('=');
    const name = equals > 0 ? arg.slice(0, equals) : arg;
    const takeValue = (): string => {
      if (equals > 0) return arg.slice(equals + 1);
      if (i + 1 >= args.length) throw new UsageError(`${name} needs a value`);
      return args[++i];
    };
    switch (name) {
      case '--probe':
        if (equals > 0) throw new UsageError('--probe takes no value');
        parsed.probe = true;
        break;
      case '--probe-execute':
        if (equals > 0) throw new UsageError('--probe-execute takes no value');
        parsed.probe = true;
        parsed.probeExecute = true;
        break;
      case '--fix':
        if (equals > 0) throw new UsageError('--fix takes no value');
        parsed.fix = true;
        break;
      case '--infer':
        if (equals > 0) throw new UsageError('--infer takes no value');
        parsed.infer = true;
        break;
      case '--symmetry':
        parsed.symmetry.push(takeValue());
        break;
      case '--docs-base-url':
        parsed.docsBaseUrl = takeValue();
        break;
      case '--concurrency': {
        const value = takeValue();
        const concurrency = parseConcurrency(value);
        if (concurrency === undefined) throw new UsageError(`invalid --concurrency "${value}" (expected a positive integer, auto or off)`);
        parsed.concurrency = concurrency;
        break;
      }
      case '--format': {
        const value = takeValue();
        if (!(OUTPUT_FORMATS as readonly string[]).includes(value)) {
          throw new UsageError(`unknown format "${value}" (expected ${OUTPUT_FORMATS.join(', ')})`);
        }
        parsed.format = value as OutputFormat;
        break;
      }
      default:
        throw new UsageError(`unknown option ${name}`);
    }
  }
  if (parsed.inputs.length === 0) throw new UsageError('check needs at least one file or folder');
  return parsed;
}

const TRANSPORT_FLAGS = /^--(stdio|node-ipc|socket=\d+|pipe=.+)$/;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${serverPackage.version}\n`);
    return 0;
  }
  if (command === 'check') {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(HELP);
      return 0;
    }
    const { fix, probe, probeExecute, docsBaseUrl, ...parsed } = parseCheckArguments(rest);
    // Each file's analysis is garbage once the file is formatted, so the live heap stays small
    // (about 20 MB); what grew with the run was V8's heaps between collections. A heap growing
    // factor of 1.2 instead of V8's (up to 4) keeps old space from running far ahead of what it
    // holds (docs/benchmarks.md, issue 13). With --probe too: there V8 chose its factor at the one
    // collection during start-up, when this thread allocated fast, and while it then mostly
    // waited for the tfjs worker its old space filled with promoted garbage up to four times what
    // it held; the worker's probes cost no more under it (docs/decisions.md). V8 also lets old
    // space grow by the young generation's size before it collects, and grows that to 32 MB: on
    // one thread it is held at its initial size while TypeScript loads, then may grow to 8 MB
    // (check.ts, youngGeneration.ts); `--concurrency`'s workers get the same as a limit of their
    // heaps. Through setV8FlagsForProcess, so the code cache is keyed by the flags it was made
    // under; and set back before the cache is written at exit (this handler runs before the
    // cache's), or V8 would refuse it on the next run.
    const oneThread = parsed.concurrency === 'off' || parsed.concurrency === 1;
    setV8FlagsForProcess(CHECK_V8_FLAGS);
    if (probe || oneThread) keepYoungGenerationAtInitialSize(setV8FlagsForProcess);
    if (!probe && oneThread) process.once('exit', () => keepYoungGenerationAtInitialSize());
    // --probe: the tfjs worker starts now and loads tfjs and wasm on its own thread while this
    // one loads and runs the static analysis; a plain check never starts it. A failed start is
    // reported by the first probe, which starts the worker again.
    const probeHost = probe ? new ProbeHost({ smallYoungGeneration: true }) : undefined;
    probeHost?.warmUp().catch(() => undefined);
    try {
      // --concurrency n: its n - 1 workers (this thread is the n-th) load TypeScript now, while this
      // thread loads its own and walks the folders; the run stops any it does not need.
      const workers = !probe && typeof parsed.concurrency === 'number' && parsed.concurrency > 1 ? new CheckWorkerThreads(parsed.concurrency - 1) : undefined;
      setDocsBaseUrl(docsBaseUrl);
      if (fix) {
        // Same fixes as the editor's; the check below re-analyses the fixed files.
        const { applyPreferredFixes } = await import('./fix.js');
        for (const file of applyPreferredFixes(parsed.inputs, process.cwd(), { commandLineDeclarations: parsed.symmetry })) {
          process.stderr.write(`symmetry-lint: fixed ${file.applied.length} problem(s) in ${file.fileName}\n`);
        }
      }
      const { ruleCatalog } = await import('./ruleCatalog.js');
      const checkOptions = {
        ...parsed,
        cwd: process.cwd(),
        tool: { name: 'symmetry-lint', version: serverPackage.version, informationUri: ruleDocsBaseUrl() },
        catalog: ruleCatalog(),
      };
      // Each file's output is handed on as soon as it is its turn (checkOutput.ts), probes or not.
      // --probe-execute: the only way the CLI runs the user's model code.
      if (probeHost) {
        const write = (chunk: string): void => {
          process.stdout.write(chunk);
        };
        const result = await (await import('./probeCheck.js')).runCheckWithProbes({ ...checkOptions, execute: probeExecute === true, host: probeHost, write });
        process.stdout.write(result.output);
        return result.exitCode;
      }
      // Without probes a file takes milliseconds, and a write to stdout per file cost more than
      // formatting it (about 80 us each, 2,000 files): the chunks go out in blocks instead.
      const stdout = new BlockWriter((block) => process.stdout.write(block));
      try {
        const result = await (await import('./check.js')).runCheckConcurrently({ ...checkOptions, workers, youngGenerationCap: !probe && oneThread ? CHECK_YOUNG_GENERATION_CAP_BYTES : undefined, write: (chunk) => stdout.write(chunk) });
        stdout.write(result.output);
        return result.exitCode;
      } finally {
        stdout.flush();
      }
    } finally {
      // Also when the run stops early (a missing input, a failed --fix): the worker's piped
      // stdout and stderr would otherwise hold the process open after the error is printed.
      await probeHost?.dispose();
    }
  }
  if (command === 'lsp') {
    if (!rest.some((arg) => TRANSPORT_FLAGS.test(arg))) {
      throw new UsageError('lsp needs a transport: --stdio, --node-ipc or --socket=<port>');
    }
    // Loaded only here so `check` does not pay for the language server's modules.
    const { startLanguageServer } = await import('../lsp/languageServer.js');
    startLanguageServer();
    return -1;
  }
  throw new UsageError(command === undefined ? 'no command given' : `unknown command "${command}"`);
}

main(process.argv.slice(2)).then(
  (code) => {
    // -1: a long-running server owns the process now.
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof DiscoveryError) {
      process.stderr.write(`symmetry-lint: ${error.message}\nRun "symmetry-lint --help" for usage.\n`);
    } else {
      process.stderr.write(`symmetry-lint: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exitCode = 2;
  },
);
