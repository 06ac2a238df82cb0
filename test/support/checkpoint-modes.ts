/**
 * The two checkpoint modes of the engine, which every fault suite
 * runs in: strict, the default (each checkpoint is durable before the next
 * operation starts: after a crash only the operation in flight repeats), and
 * pipelined, the opt-in speed mode (an at-least-once step's checkpoint may
 * still be under way while the next steps run: a crash may repeat those too).
 */
export interface CheckpointMode {
  name: 'strict' | 'pipelined';
  isPipelined: boolean;
  /** How test names say it. */
  title: string;
}

export const STRICT: CheckpointMode = { name: 'strict', isPipelined: false, title: 'strict checkpoints (the default)' };
export const PIPELINED: CheckpointMode = { name: 'pipelined', isPipelined: true, title: 'pipelined checkpoints' };
export const CHECKPOINT_MODES: readonly CheckpointMode[] = [STRICT, PIPELINED];

/**
 * The environment of a worker process in `mode`: strict is the default, so it
 * gets DURABLE_PIPELINE_CHECKPOINTS empty (what the handler reads as unset,
 * whatever the test runner's own environment says); pipelined gets `true`.
 */
export function checkpointModeEnv(mode: CheckpointMode): Record<string, string> {
  return { DURABLE_PIPELINE_CHECKPOINTS: mode.isPipelined ? 'true' : '' };
}

/**
 * `createHandler` options of an in-process invocation in `mode`. Strict is
 * passed as `false`, the default's value, so that a DURABLE_PIPELINE_CHECKPOINTS
 * in the test runner's environment cannot turn it into the other mode.
 */
export function checkpointModeOptions(mode: CheckpointMode): { pipelineCheckpoints: boolean } {
  return { pipelineCheckpoints: mode.isPipelined };
}
