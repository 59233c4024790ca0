// Every TypeScript and JavaScript block of the docs site's pages, type-checked as a module of its own
// against the packages' source, where the test suites resolve them (test/node_modules). A block is
// usually a fragment of an app: names it does not declare (`app`, `passport`) and modules this
// repository does not install (`next-auth`, `@sveltejs/kit`) are the app's and are not errors; every
// other error is, above all a grantor option, export or type the code no longer has.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

export const ROOT = join(import.meta.dirname, '../..');
const SNIPPET_DIR = join(ROOT, 'test/docs/snippets');

export interface Snippet {
  /** The page and the block's number on it, e.g. `docs/recipes/koa.md #2`. */
  where: string;
  language: 'ts' | 'js';
  code: string;
  /** Marked runnable (```ts run```): test/docs/run.ts runs it, besides the type-check. */
  run: boolean;
}

/** A fenced block's language and the words after it (its info string), and its text. */
const FENCED = /^```(\w+)([^\n]*)\n([\s\S]*?)^```\s*$/gm;
const TYPESCRIPT = /^(ts|typescript|tsx)$/;
const JAVASCRIPT = /^(js|javascript|mjs|cjs)$/;
const runnable = (info: string) => info.trim().split(/\s+/).includes('run');

/** The fenced ts/js blocks of one page's Markdown, numbered among themselves. */
export function snippetsOf(page: string, markdown: string): Snippet[] {
  const blocks = [...markdown.matchAll(FENCED)].filter((block) => TYPESCRIPT.test(block[1]!) || JAVASCRIPT.test(block[1]!));
  return blocks.map((block, index) => ({
    where: `${page} #${index + 1}`,
    language: TYPESCRIPT.test(block[1]!) ? 'ts' : 'js',
    code: block[3]!,
    run: runnable(block[2]!),
  }));
}

/** The fenced sh blocks of one page marked runnable (```sh run```): command lines test/docs/run.ts runs. */
export function commandBlocksOf(page: string, markdown: string): { where: string; code: string }[] {
  const blocks = [...markdown.matchAll(FENCED)].filter((block) => /^(sh|bash|shell)$/.test(block[1]!));
  return blocks.flatMap((block, index) => (runnable(block[2]!) ? [{ where: `${page} sh #${index + 1}`, code: block[3]! }] : []));
}

/** Diagnostics that say the block is a fragment of an app, not that it is wrong. */
const FRAGMENT_CODES = new Set([
  2304, // Cannot find name 'app'
  2552, // Cannot find name 'db'. Did you mean ...?
  2307, // Cannot find module 'next-auth' (the app's dependency, not installed here)
  2792, // Cannot find module ... Did you mean to set 'moduleResolution'?
  7016, // Could not find a declaration file for module (installed without types)
  2580, // Cannot find name 'require' (CommonJS blocks are checked as CommonJS; kept for mixed ones)
  1375, // 'await' at the top level of a fragment
  1378, // top-level await target
  18004, // shorthand property with no value in scope
  7006, // parameter implicitly any: a callback handed to a framework that is not installed here
  7031, // binding element implicitly any: the same, destructured
  2664, // a module augmentation (declare module 'next-auth') for a module not installed here
]);
/**
 * What only a type annotation would fix, which a JavaScript app has none of: a value of type `unknown`
 * (a callback's user whose type comes from a call made later, as with createTokenHandler).
 */
const untypedInJavaScript = (diagnostic: ts.Diagnostic) =>
  diagnostic.code === 18046 || (diagnostic.code === 2339 && ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n').endsWith("on type 'unknown'."));

/** A change to one source file, as a rename in the code would make it. */
export interface SourcePatch {
  file: string;
  from: string;
  to: string;
}

export interface SnippetError {
  where: string;
  message: string;
}

/** Pages whose apps a bundler builds, with its module resolution (extensionless imports, path aliases). */
const BUNDLED = /^docs\/recipes\/(next-js|sveltekit|react-router|nuxt|astro|cloudflare-workers)/;

/**
 * Type-checks the snippets: TypeScript blocks with the repository's strict settings (a bundler's module
 * resolution), the blocks of Node apps once more as a Node app in ES modules sees them (NodeNext, as
 * `tsc --init` sets it: a CommonJS package's default import is its module object there), JavaScript
 * blocks as a JavaScript app's editor does (checkJs, not strict, CommonJS where they `require`). The
 * packages' source files are parsed once for all programs. Returns the errors, each with the block it is in.
 */
export function checkSnippets(snippets: Snippet[], patch?: SourcePatch): SnippetError[] {
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.base.json'), ts.sys.readFile).config;
  const base = ts.convertCompilerOptionsFromJson(config.compilerOptions, ROOT).options;
  const nodeNext = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext };
  const parsed = new Map<string, ts.SourceFile | undefined>();
  const errors: SnippetError[] = [];
  for (const check of ['ts', 'ts-node', 'js'] as const) {
    const language = check === 'js' ? 'js' : 'ts';
    const options: ts.CompilerOptions =
      check === 'ts'
        ? { ...base, noEmit: true }
        : check === 'ts-node'
          ? { ...base, ...nodeNext, noEmit: true }
          : { ...base, ...nodeNext, noEmit: true, allowJs: true, checkJs: true, strict: false };
    const files = new Map<string, Snippet>();
    snippets.forEach((snippet, index) => {
      if (snippet.language !== language || (check === 'ts-node' && BUNDLED.test(snippet.where))) return;
      const commonJs = /\brequire\(|module\.exports|exports\.\w+\s*=/.test(snippet.code);
      const extension = check === 'ts' ? '.ts' : check === 'ts-node' ? '.mts' : commonJs ? '.cjs' : '.mjs';
      files.set(join(SNIPPET_DIR, `snippet-${index}${extension}`), snippet);
    });
    if (files.size === 0) continue;
    const source = (file: string) => {
      const snippet = files.get(file);
      if (snippet) return language === 'ts' ? `${snippet.code}\nexport {};\n` : snippet.code;
      const text = ts.sys.readFile(file);
      return text !== undefined && patch && file === patch.file ? text.split(patch.from).join(patch.to) : text;
    };
    const host = ts.createCompilerHost(options, true);
    host.fileExists = (file) => files.has(file) || ts.sys.fileExists(file);
    host.readFile = (file) => source(file);
    host.getSourceFile = (file, languageVersion) => {
      if (files.has(file)) return ts.createSourceFile(file, source(file)!, languageVersion, true);
      if (!parsed.has(file)) {
        const text = source(file);
        parsed.set(file, text === undefined ? undefined : ts.createSourceFile(file, text, languageVersion, true));
      }
      return parsed.get(file);
    };
    const program = ts.createProgram([...files.keys()], options, host);
    for (const [file, snippet] of files) {
      const sourceFile = program.getSourceFile(file)!;
      for (const diagnostic of [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)]) {
        if (FRAGMENT_CODES.has(diagnostic.code) || (language === 'js' && untypedInJavaScript(diagnostic))) continue;
        const line = diagnostic.start === undefined ? 0 : sourceFile.getLineAndCharacterOfPosition(diagnostic.start).line + 1;
        errors.push({
          where: `${snippet.where}, line ${line}`,
          message: `TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}${check === 'ts-node' ? ' (in a Node app in ES modules)' : ''}`,
        });
      }
    }
  }
  return errors;
}

/** The Markdown a reader meets: the docs site's source pages (the API reference aside: TypeDoc writes it) and the README. */
export function docsPages(): { page: string; markdown: string }[] {
  const pages = ts.sys.readDirectory(join(ROOT, 'docs'), ['.md'], ['node_modules', 'reference', '.vitepress']).map((file) => file.slice(ROOT.length + 1));
  return [...pages, 'README.md'].map((page) => ({ page, markdown: readFileSync(join(ROOT, page), 'utf8') }));
}
