import path from 'node:path';
import { Project } from 'ts-morph';
import type { Diagnostic } from '../diagnostics.js';
import type { AppModel, ServiceModel } from '../model.js';
import { resolveSourcePaths, SourcePathsError } from '../sources/source-paths.js';
import { checkServices } from './check-services.js';
import { CORE, coreImports, findDecorator } from './core-imports.js';
import { readService } from './read-service.js';

/** What to scan. */
export interface ScanOptions {
  /** The app's root: paths in the model and in diagnostics are relative to it. */
  root: string;
  /**
   * Files, folders or globs (relative to `root`), e.g. `src` or `src/**\/*.ts`; see {@link resolveSourcePaths}.
   * Paths that match no source file, or files without any `@DurableService`, throw {@link SourcePathsError}.
   */
  paths: readonly string[];
  /** Account the services deploy to when their decorator names none. */
  account?: string;
  /** Region the services deploy to when their decorator names none. */
  region?: string;
}

export interface ScanResult {
  model: AppModel;
  diagnostics: Diagnostic[];
  /** The ts-morph project, for the lint rules that walk the same files. */
  project: Project;
}

/**
 * Finds every class decorated `@DurableService` from `@durable/core` in the
 * given files, syntactically (ts-morph, no type checker, no dependency
 * resolution): its workflows and steps with their literal options, the steps
 * each workflow reaches, and the services it invokes. Problems are reported as
 * diagnostics with `file:line:col`, never thrown.
 */
export function scan(options: ScanOptions): ScanResult {
  const root = path.resolve(options.root);
  const project = new Project({
    compilerOptions: { experimentalDecorators: true, allowJs: false, noEmit: true },
    skipAddingFilesFromTsConfig: true,
    skipFileDependencyResolution: true,
    skipLoadingLibFiles: true,
  });
  const sources = resolveSourcePaths(root, options.paths);
  for (const file of sources.files) project.addSourceFileAtPath(file);
  const diagnostics: Diagnostic[] = [];
  const services: ServiceModel[] = [];
  let decorated = 0;
  const files = project.getSourceFiles().sort((a, b) => a.getFilePath().localeCompare(b.getFilePath()));
  for (const file of files) {
    const imports = coreImports(file);
    if (imports.named.size === 0 && imports.namespaces.size === 0) continue;
    for (const cls of file.getClasses()) {
      const decorator = findDecorator(cls.getDecorators(), 'DurableService', imports);
      if (decorator === undefined) continue;
      decorated++;
      const service = readService(cls, decorator, imports, root, diagnostics);
      if (service !== undefined) services.push(service);
    }
  }
  // A decorated class that cannot be read has its own diagnostic: only no decorated class at all checks nothing.
  if (decorated === 0) throw noServices(sources.files.length, options.paths);
  checkServices(services, options.account, diagnostics, options.region);
  return { model: { root, services }, diagnostics, project };
}

/** Files were found, but none declares a service: checking them would check nothing. */
function noServices(fileCount: number, paths: readonly string[]): SourcePathsError {
  return new SourcePathsError(
    'no-services',
    `${paths.join(' ')}: ${fileCount} source file${fileCount === 1 ? '' : 's'}, no @DurableService class. ` +
      `A service is a class decorated @DurableService() imported from '${CORE}'; name the paths that hold yours.`,
    paths,
  );
}
