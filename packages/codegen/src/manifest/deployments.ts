import { targetArnProblem } from '@durable/core';
import type { Diagnostic } from '../diagnostics.js';
import type { Manifest } from '../emit/manifest.js';
import type { ServicePlacements } from './placements.js';

/**
 * One diagnostic per service of the app whose recorded deployment cannot be
 * invoked: generated stubs would call it, so `generate` refuses until it is
 * deployed again or the manifest is fixed.
 */
export function checkRecordedDeployments(
  manifest: Manifest | undefined,
  placements: ServicePlacements,
  outDir: string,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const [service, placement] of [...placements.byService].sort(([a], [b]) => a.localeCompare(b))) {
    const deployment = manifest?.services[service]?.deployment;
    if (deployment == null) continue;
    const problem = targetArnProblem(deployment.qualifiedArn, { account: placement.account, region: placement.region });
    if (problem === undefined) continue;
    diagnostics.push({
      file: `${outDir}/manifest.json`,
      line: 1,
      column: 1,
      code: problem.kind,
      severity: 'error',
      message: `The manifest's deployment of '${service}': ${problem.message}. Deploy a published version again, or fix manifest.json.`,
    });
  }
  return diagnostics;
}
