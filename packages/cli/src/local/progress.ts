import type { ServiceModel } from '@durable/codegen';
import type { ExecutionObserver, Logger, OperationEvent } from '@durable/core';
import { fixedColumns, formatDuration, jsonLine, type Output } from '../output.js';

const MARKS: Record<OperationEvent['outcome'], string> = {
  executed: '✓',
  replayed: '↺',
  waiting: '…',
  retrying: '↻',
  failed: '✗',
};

/** Usual widest position (`12`, `3.1.2`), widest kind (`callback`, `parallel`) and outcome (`executed`, `retrying`). */
const POSITION_WIDTH = 5;
const KIND_WIDTH = 8;
const OUTCOME_WIDTH = 8;

/**
 * The observer behind `durable-gen run`'s progress: one line per operation as
 * it happens, `  ✓ 1  step  comment  executed  12 ms`. Lines are printed as
 * events arrive, so columns have fixed widths; the name column is as wide as
 * the longest name the scanner found. Operations of a child execution (a
 * service invoked in this process) are indented under the invoke and carry
 * their service's name.
 */
export function progressObserver(output: Output, rootExecutionId: string, nameWidth: number): ExecutionObserver {
  const { green, red, yellow, dim } = output.stdout;
  const paint: Record<OperationEvent['outcome'], (text: string) => string> = {
    executed: green,
    replayed: dim,
    waiting: yellow,
    retrying: yellow,
    failed: red,
  };
  return {
    onOperation(event) {
      // Children's ids are `<parent id>/<position>`: each level nests one step deeper.
      const depth = event.executionId.startsWith(`${rootExecutionId}/`)
        ? event.executionId.slice(rootExecutionId.length).split('/').length - 1
        : 0;
      const color = paint[event.outcome];
      const name = depth === 0 ? event.name : `${event.service}: ${event.name}`;
      const details = [
        event.outcome === 'replayed' ? '' : formatDuration(event.durationMs),
        event.attempt > 1 ? `attempt ${event.attempt}` : '',
      ].filter((detail) => detail !== '');
      const cells = [event.position, event.kind, name, color(event.outcome)];
      if (details.length > 0) cells.push(dim(details.join('  ')));
      // A deep position or a long name widens its own line only: the columns stay two spaces apart.
      const columns = fixedColumns(cells, [POSITION_WIDTH, KIND_WIDTH, nameWidth, OUTCOME_WIDTH]);
      output.line(`${'  '.repeat(depth + 1)}${color(MARKS[event.outcome])} ${columns}`);
    },
  };
}

/** The name column fits the longest step, workflow or invoke target the scanner found (within reason). */
export function progressNameWidth(services: readonly ServiceModel[]): number {
  const names = services.flatMap((s) => [
    ...s.steps.map((step) => step.name),
    ...s.workflows.map((w) => w.name),
    ...s.invokes.map((i) => `${i.service}.${i.workflow}`),
  ]);
  return Math.min(32, Math.max(12, ...names.map((name) => name.length)));
}

/**
 * `ctx.logger` of the app's workflows during `durable-gen run`: short lines on
 * stderr, since stdout carries the progress and ends with the result JSON.
 */
export function progressLogger(output: Output): Logger {
  const { dim, yellow, red } = output.stderr;
  const write =
    (level: keyof Logger, paint: (text: string) => string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      // The engine adds which execution speaks; in a run of one execution that is noise.
      const { service: _service, workflow: _workflow, executionId: _id, ...rest } = fields ?? {};
      const extra = Object.keys(rest).length === 0 ? '' : `  ${dim(jsonLine(rest))}`;
      output.note(`  ${paint(level.padEnd(5))} ${message}${extra}`);
    };
  return {
    debug: write('debug', dim),
    info: write('info', dim),
    warn: write('warn', yellow),
    error: write('error', red),
  };
}
