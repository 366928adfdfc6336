/**
 * `import()` of an installed package that is an ES module (p-limit, tar, piscina), working both
 * ways breakfix's code runs: as ES modules (tsc's output, the tests), and bundled into the
 * CommonJS script the CLI runs with a V8 code cache (src/code-cache.ts). There an `import()`
 * fails with ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING: a function compiled from a code cache has
 * lost its way back to Node's module loader. So the bundle's wrapper passes `__breakfixImport`,
 * the `import()` of the ES module that runs it, and this calls that when it is there.
 */
declare const __breakfixImport: ((specifier: string) => Promise<unknown>) | undefined;

/** The module namespace of package `specifier` (`T`: `typeof import('<specifier>')`). @throws what `import()` throws (not installed, …). */
export function importPackage<T>(specifier: string): Promise<T> {
  return (typeof __breakfixImport === 'function' ? __breakfixImport(specifier) : import(specifier)) as Promise<T>;
}
