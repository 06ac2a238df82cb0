/**
 * Why each kind of schema change is safe or breaking for executions that recorded their journal on the old
 * code: what the engine compares at a position when it replays (kind, name, the hash of the arguments or
 * duration, a parallel's branch count, a waiting callback's timeout), and what it keeps from the journal
 * (the semantics a step was recorded with).
 */
export const REASONS = {
  appended:
    'it takes a position after every one the old code can record: running executions replay what they recorded, then go on to it',
  appendedInBranch:
    'it takes a new last position in its branch (each item of a map is one), after everything the old code records ' +
    'there; a branch that already ran runs it when the execution next resumes',
  inserted:
    'it takes a position running executions recorded for an operation after it: they fail there with NonDeterminismError',
  insertedInLoop:
    'the loop repeats its body: from the second iteration on, each operation takes a later position than the one it ' +
    'recorded, and running executions fail with NonDeterminismError',
  removed:
    'running executions that recorded it meet another operation (or the end) at its position and fail with NonDeterminismError',
  renamed: 'the journal names the operation at each position: executions that recorded the old name fail there',
  reordered: 'positions follow call order: the operations changed places, so executions that recorded them fail',
  kindChanged: 'the journal records the kind of operation at each position: executions that recorded the old one fail',
  argumentsChanged:
    'the engine hashes the argument values of each recorded step (the input of an invoke): unless the new expressions ' +
    'give the same values, executions that recorded it fail; durable-gen replay tells for real journals',
  itemsChanged:
    'the engine checks the number of items of a map it recorded: unless the new expression gives as many items, ' +
    'executions that recorded it fail; durable-gen replay tells for real journals',
  durationChanged: 'the engine records the duration of a sleep: executions that recorded the old one fail at it',
  timeoutChanged:
    'the engine checks the timeout of a callback an execution waits for: executions waiting at it fail when they resume',
  targetChanged: 'the journal names the workflow an invoke calls: executions that recorded the old target fail there',
  branchesChanged:
    'the engine checks the branch count of a parallel it recorded: executions that reached it fail there',
  branchesUnknown:
    'codegen cannot see the branches of one of the two versions (not an array of functions): durable-gen replay tells',
  semanticsChanged:
    'semantics are not part of the replay check, and the engine keeps those a step was recorded with (an at-most-once ' +
    'step cut short stays at-most-once); steps not reached yet run with the new ones',
  conditionChanged:
    'another condition can take another path: executions that recorded one path meet the other at their positions',
  loopChanged:
    'another loop header can repeat the body another number of times: executions that recorded iterations meet others',
  moved:
    'the operation now runs on another path: executions that recorded it, or recorded something else at its position, fail',
  exitChanged:
    'a return, throw, break or continue decides which operations after it run: executions that recorded those ' +
    'operations meet another one (or the end) at their positions and fail with NonDeterminismError',
  opaqueCode:
    'contains code durable-gen cannot see into: durable-gen replay proves it against the journals of running executions',
  opaqueChanged:
    'codegen cannot see what code outside the class records: durable-gen replay proves it against real journals',
} as const;
