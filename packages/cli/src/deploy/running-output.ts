import { type Palette, plural, truncate } from '../output.js';
import type { LocalReplayOutcome } from './local-replay.js';
import type { PruneOutcome } from './prune-versions.js';
import type { RunningExecutionsReport } from './running-executions.js';

/**
 * The lines deploy prints about a service's running executions once its new version is live: per earlier version,
 * how many stay on it (pinned), how many the new code replays (and the migrate command that can move them), how
 * many diverge and where; the schema changes against the last deployed schema, counted.
 */
export function runningExecutionLines(
  service: string,
  report: RunningExecutionsReport,
  published: string,
  palette: Palette,
): string[] {
  const lines: string[] = [];
  const changes = report.schemaChanges;
  if (changes !== undefined && changes.length > 0) {
    const breaking = changes.filter((change) => change.classification === 'breaking').length;
    lines.push(
      `${service}: ${plural(changes.length, 'schema change')} against the last deployed schema` +
        `${breaking > 0 ? `, ${palette.yellow(`${breaking} breaking`)}` : ', all safe'} (durable-gen diff lists them)`,
    );
  }
  for (const [version, outcomes] of executionsLeftBehind(report, published)) {
    const replays = outcomes.filter((o) => 'verdict' in o && o.verdict.compatible);
    const diverges = outcomes.filter((o) => 'verdict' in o && !o.verdict.compatible);
    const unchecked = outcomes.filter((o) => 'unchecked' in o);
    const parts: string[] = [];
    if (replays.length > 0) {
      const [verb, them] = replays.length === 1 ? ['replays', 'it'] : ['replay', 'them'];
      parts.push(`${replays.length} ${verb} (durable-gen migrate ${service} --to ${published} can move ${them})`);
    }
    if (diverges.length > 0) {
      const positions = [...new Set(diverges.map(divergentPosition))].join(', ');
      parts.push(`${diverges.length} ${diverges.length === 1 ? 'diverges' : 'diverge'} at position ${positions}`);
    }
    if (unchecked.length > 0) parts.push(`${unchecked.length} not checked`);
    const count = plural(outcomes.length, 'execution');
    const stay = outcomes.length === 1 ? 'stays' : 'stay';
    lines.push(
      `${service}: ${count} running on version ${version} ${stay} on it (pinned); on the new code ${parts.join(', ')}`,
    );
    for (const outcome of [...diverges, ...unchecked])
      lines.push(`  ${outcome.executionId}  ${detail(outcome, palette)}`);
  }
  return lines;
}

/** The lines of `--prune-versions` for one service: what was deleted, what stays and why. */
export function pruneLines(outcome: PruneOutcome, palette: Palette): string[] {
  const deleted = outcome.deleted.length === 0 ? 'no version deleted' : `deleted ${versionList(outcome.deleted)}`;
  const lines = [`${outcome.service}: ${deleted}`];
  for (const kept of outcome.kept) {
    if (kept.reason === 'live') continue;
    const why =
      kept.reason === 'alias'
        ? `alias ${kept.aliases.join(', ')} points to it`
        : `${plural(kept.executionIds.length, 'running execution')} pinned to it: ${kept.executionIds.join(', ')}`;
    lines.push(`  kept version ${kept.version}: ${palette.dim(why)}`);
  }
  return lines;
}

function divergentPosition(outcome: LocalReplayOutcome): string {
  return 'verdict' in outcome && !outcome.verdict.compatible ? outcome.verdict.position : '?';
}

function detail(outcome: LocalReplayOutcome, palette: Palette): string {
  if ('unchecked' in outcome) return palette.dim(`not checked: ${truncate(outcome.unchecked, 160)}`);
  if (outcome.verdict.compatible) return 'replays';
  return `${palette.yellow(`diverges at position ${outcome.verdict.position}`)}: ${truncate(outcome.verdict.message, 200)}`;
}

function versionList(versions: readonly string[]): string {
  return versions.length === 1 ? `version ${versions[0]}` : `versions ${versions.join(', ')}`;
}

/** The report's executions that stay on a version other than `published`, grouped by that version. */
function executionsLeftBehind(report: RunningExecutionsReport, published: string): Map<string, LocalReplayOutcome[]> {
  const byVersion = new Map<string, LocalReplayOutcome[]>();
  for (const outcome of report.executions) {
    // Deploying unchanged code publishes no new version: its executions are already where the deploy goes.
    if (outcome.version === published) continue;
    byVersion.set(outcome.version, [...(byVersion.get(outcome.version) ?? []), outcome]);
  }
  return byVersion;
}
