import path from 'node:path';
import { type Diagnostic, sortDiagnostics } from './diagnostics.js';
import { lint } from './lint/lint.js';
import type { AppModel } from './model.js';
import { scan } from './scanner/scan.js';

/** Options of {@link check}. */
export interface CheckOptions {
  root: string;
  paths: readonly string[];
  account?: string;
}

/**
 * Everything `durable-gen check` reports: the scanner's findings (names,
 * options, invoke targets, ARNs) and the determinism lint over workflow code,
 * sorted by place.
 */
export function check(options: CheckOptions): { model: AppModel; diagnostics: Diagnostic[] } {
  const { model, diagnostics, project } = scan({ ...options, root: path.resolve(options.root) });
  return { model, diagnostics: sortDiagnostics([...diagnostics, ...lint(project, model)]) };
}
