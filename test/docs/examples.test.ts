// The API reference's claim that every public function and class has a runnable example, checked.
//
// The TypeScript compiler enumerates what src/index.ts exports (through the namespaces functional,
// nn, optim, models, explain, viz, io, ...). Each public declaration's doc comment must carry an
// `@example`, and every example attached to a public declaration, to a member of a public class or
// to the header of a file that defines one is run: `from 'waldo'` becomes the built
// dist/src/index.js, the TypeScript is transpiled, and the module is imported from a temporary
// folder (also the working directory, so examples may write files). Every example is also
// type-checked (strict) against the sources. An example whose first line is `// not run: <reason>`
// is type-checked but not run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { getBackend, setBackend, getNumThreads, setNumThreads, manualSeed } from '../../src/index.js';
import { repoRoot } from '../helpers/paths.js';

const root = repoRoot();
const NOT_RUN = /^\/\/\s*not run:/;

interface Example {
  /** Where it is: the public name (or file header) and the source position. */
  label: string;
  code: string;
}

interface PublicDeclaration {
  names: string[];
  location: string;
  examples: string[];
}

/** The code of each `@example` block of a doc comment, with the ` * ` prefixes and any ``` fences removed. */
function examplesIn(jsDocText: string): string[] {
  const lines = jsDocText
    .replace(/^\/\*\*/, '')
    .replace(/\*\/$/, '')
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''));
  const blocks: string[] = [];
  let current: string[] | null = null;
  for (const line of lines) {
    const tag = /^\s*@(\w+)\s?(.*)$/.exec(line);
    if (tag) {
      if (current) blocks.push(current.join('\n'));
      current = tag[1] === 'example' ? [tag[2]!] : null;
    } else if (current) {
      current.push(line);
    }
  }
  if (current) blocks.push(current.join('\n'));
  return blocks
    .map((b) => b.split('\n').filter((l) => !/^\s*```/.test(l)).join('\n').trim())
    .filter((b) => b.length > 0);
}

/** The doc comment TypeDoc shows for a node: the last JSDoc block right before it. */
function docText(node: ts.Node): string | undefined {
  const docs = (node as { jsDoc?: ts.JSDoc[] }).jsDoc;
  if (!docs || docs.length === 0) return undefined;
  return docs[docs.length - 1]!.getText(node.getSourceFile());
}

function position(node: ts.Node): string {
  const sf = node.getSourceFile();
  return `${relative(root, sf.fileName)}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`;
}

/** The statement that carries a declaration's doc comment (a variable's is the whole `export const`). */
function documented(decl: ts.Declaration): ts.Node {
  return ts.isVariableDeclaration(decl) ? decl.parent.parent : decl;
}

function collect(): { declarations: PublicDeclaration[]; examples: Example[] } {
  const program = ts.createProgram([join(root, 'src', 'index.ts')], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(join(root, 'src', 'index.ts'));
  assert.ok(index, 'src/index.ts not found');
  const byDeclaration = new Map<ts.Declaration, string[]>();
  const files = new Set<ts.SourceFile>([index]);
  const walk = (module: ts.Symbol, prefix: string, seen: Set<ts.Symbol>) => {
    for (const exported of checker.getExportsOfModule(module)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const name = prefix + exported.name;
      if (symbol.flags & ts.SymbolFlags.ValueModule) {
        for (const d of symbol.declarations ?? []) files.add(d.getSourceFile());
        if (!seen.has(symbol)) walk(symbol, name + '.', new Set([...seen, symbol]));
        continue;
      }
      // Functions and classes must have examples; exported constants (tables, the default
      // generator) may, and theirs run too.
      if (!(symbol.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Class | ts.SymbolFlags.Variable))) continue;
      const decl = symbol.declarations?.[0];
      if (!decl) continue;
      if (!byDeclaration.has(decl)) byDeclaration.set(decl, []);
      byDeclaration.get(decl)!.push(name);
      files.add(decl.getSourceFile());
    }
  };
  const indexSymbol = checker.getSymbolAtLocation(index);
  assert.ok(indexSymbol, 'src/index.ts is not a module');
  walk(indexSymbol, '', new Set());

  const declarations: PublicDeclaration[] = [];
  const examples: Example[] = [];
  const seenDocs = new Set<string>();
  const add = (label: string, node: ts.Node, text: string | undefined): string[] => {
    if (text === undefined) return [];
    const found = examplesIn(text);
    const key = `${node.getSourceFile().fileName}:${text}`;
    if (!seenDocs.has(key)) {
      seenDocs.add(key);
      found.forEach((code, i) => examples.push({ label: `${label} (${position(node)})${found.length > 1 ? ` #${i + 1}` : ''}`, code }));
    }
    return found;
  };
  for (const [decl, names] of byDeclaration) {
    const node = documented(decl);
    const own = add(names[0]!, node, docText(node));
    const isFunctionOrClass = ts.isFunctionDeclaration(decl) || ts.isClassDeclaration(decl);
    if (isFunctionOrClass) declarations.push({ names, location: position(node), examples: own });
    // Overload signatures and class members may carry examples of their own.
    if (ts.isClassDeclaration(decl)) {
      for (const member of decl.members) {
        const memberName = member.name && ts.isIdentifier(member.name) ? member.name.text : 'constructor';
        add(`${names[0]}.${memberName}`, member, docText(member));
      }
    }
  }
  // File headers: the first doc comment of a file, when it documents the file rather than the
  // declaration after it (it precedes an import/export, or another doc comment follows it).
  for (const sf of files) {
    const first = sf.statements[0];
    const docs = first ? (first as { jsDoc?: ts.JSDoc[] }).jsDoc : undefined;
    if (!first || !docs || docs.length === 0) continue;
    if (docs.length >= 2 || ts.isImportDeclaration(first) || ts.isExportDeclaration(first)) {
      add(`header of ${relative(root, sf.fileName)}`, first, docs[0]!.getText(sf));
    }
  }
  return { declarations, examples };
}

const { declarations, examples } = collect();
const waldoUrl = pathToFileURL(join(root, 'dist', 'src', 'index.js')).href;

/** An example as a JavaScript module importing the built library. */
function compile(code: string): string {
  const source = code.replace(/(\bfrom\s*)(['"])waldo\2/g, `$1'${waldoUrl}'`);
  const out = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    reportDiagnostics: true,
  });
  const errors = (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  if (errors.length > 0) throw new Error(`the example does not parse: ${errors.join('; ')}`);
  return out.outputText;
}

test('every public function and class has an @example', () => {
  assert.ok(declarations.length > 100, `only ${declarations.length} public functions and classes found`);
  const missing = declarations.filter((d) => d.examples.length === 0).map((d) => `${d.names.join(' = ')} (${d.location})`);
  assert.equal(missing.length, 0, `${missing.length} of ${declarations.length} public functions/classes have no @example:\n  ${missing.join('\n  ')}`);
});

test('every example type-checks against the sources (strict)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'waldo-examples-tsc-'));
  try {
    const files = examples.map((example, i) => {
      const file = join(dir, `example${i}.ts`);
      writeFileSync(file, `${example.code}\nexport {};\n`);
      return file;
    });
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [join(root, 'node_modules', '@types')],
      paths: { waldo: [join(root, 'src', 'index.ts')] },
    });
    const problems = files.flatMap((file, i) =>
      ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => {
        const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
        return `${examples[i]!.label}, example line ${line}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
      }),
    );
    assert.equal(problems.length, 0, `${problems.length} type errors in examples:\n  ${problems.join('\n  ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every example runs', async (t) => {
  const notRun = examples.filter((e) => NOT_RUN.test(e.code));
  t.diagnostic(`${declarations.length} public functions/classes; ${examples.length} examples, ${examples.length - notRun.length} run, ${notRun.length} not run`);
  // Few examples may opt out, each with a reason.
  assert.ok(notRun.length < examples.length / 10, `too many examples marked 'not run': ${notRun.map((e) => e.label).join(', ')}`);

  const dir = mkdtempSync(join(tmpdir(), 'waldo-examples-'));
  const cwd = process.cwd();
  const backend = getBackend().name;
  const threads = getNumThreads();
  const quiet = { log: console.log, info: console.info, warn: console.warn };
  try {
    process.chdir(dir);
    for (const [i, example] of examples.entries()) {
      await t.test(example.label, async () => {
        const js = compile(example.code);
        if (NOT_RUN.test(example.code)) return;
        const file = join(dir, `example${i}.mjs`);
        writeFileSync(file, js);
        console.log = console.info = console.warn = () => {};
        manualSeed(0);
        try {
          await import(pathToFileURL(file).href);
        } catch (e) {
          throw new Error(`${example.label} threw ${e instanceof Error ? e.stack ?? e.message : String(e)}\n--- example ---\n${example.code}`);
        } finally {
          Object.assign(console, quiet);
          // Examples may change global settings; later ones start from the usual ones.
          if (getBackend().name !== backend) setBackend(backend);
          if (getNumThreads() !== threads) setNumThreads(threads);
        }
      });
    }
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
});
