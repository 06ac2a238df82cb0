import type { StepSemantics } from '@durable/core';

/**
 * A workflow's operation schema: every durable operation its code can reach, in
 * source order, as the journal will record them, with the control flow that
 * decides which of them run (conditionals, loops, parallel/map bodies) kept as
 * such. `durable-gen diff` compares two schemas to say whether running
 * executions can replay on new code. Lines are for messages only: the schema
 * hash leaves them out, so moving code without changing what it records
 * changes nothing.
 */
export type SchemaNode = OperationNode | ControlNode;

/** A durable operation: it takes a journal position. `kind` is the journal's `OperationKind`. */
export type OperationNode = StepNode | SleepNode | ValueNode | CallbackNode | InvokeNode | ParallelNode | MapNode;

/** What codegen cannot know statically is `null` (a name or duration computed at run time). */
interface At {
  /** 1-based line in the service's source file (the call). */
  line: number;
}

/**
 * The declarations in the same file that the node's expressions read (`const amount = input.quantity * 10`,
 * a module-level `const HOLD = { days: 1 }`), followed transitively, each as `name = initializer` in source
 * order: an argument or condition that reads a constant changes when the constant does. Absent when the
 * expressions read none.
 */
interface Uses {
  uses?: string[];
}

/** The name argument as written, when the name is computed (`` `charge-${id}` ``): present only when `name` is null. */
interface NameExpression {
  nameExpression?: string;
}

/** A `@Step` method called through `this`, or an inline `ctx.step(name, fn)`. */
export interface StepNode extends At, Uses, NameExpression {
  kind: 'step';
  /** The step name the journal records (the `@Step({ name })`, the method name, or ctx.step's literal). */
  name: string | null;
  semantics: StepSemantics;
  /** The argument expressions as written, whitespace collapsed (`[]` for ctx.step, whose body has no arguments). */
  args: string[];
  /** The method called, for a `@Step` method (absent for ctx.step). */
  method?: string;
}

export interface SleepNode extends At, Uses, NameExpression {
  kind: 'sleep';
  name: string | null;
  /** The duration as written (`{ seconds: 5 }`, `'1h'`), whitespace collapsed. */
  duration: string;
}

/** `ctx.now()`, `ctx.random()`, `ctx.uuid()`. */
export interface ValueNode extends At {
  kind: 'now' | 'random' | 'uuid';
}

export interface CallbackNode extends At, Uses, NameExpression {
  kind: 'callback';
  name: string | null;
  /** The `timeout` option as written, or null when there is none. */
  timeout: string | null;
}

/** A call of another service's workflow (generated client or `ctx.invoke`). */
export interface InvokeNode extends At, Uses {
  kind: 'invoke';
  /** `<service>.<workflow>` as the journal names it, or null when the target is computed. */
  target: string | null;
  /** The input expression as written. */
  input: string;
}

export interface ParallelNode extends At, NameExpression {
  kind: 'parallel';
  name: string | null;
  /** One schema per branch function, in order; null when the branches are not an array literal of functions. */
  branches: SchemaNode[][] | null;
}

export interface MapNode extends At, Uses, NameExpression {
  kind: 'map';
  name: string | null;
  /** The items expression as written. */
  items: string;
  /** The schema of the per-item function (positions `<map>.<n>.<k>`). */
  body: SchemaNode[];
}

/** Control flow that decides which operations run, or code codegen cannot see into. */
export type ControlNode = BranchNode | LoopNode | ExitNode | OpaqueNode;

/**
 * `if`/`else`, `switch`, `?:`, `&&`/`||`/`??` and `try`/`catch`/`finally`: operations that may or may not run.
 * Each path is a schema; `if` without `else` has an empty second path.
 */
export interface BranchNode extends At, Uses {
  kind: 'branch';
  /** `if`, `switch`, `conditional` (`?:`, `&&`, `||`, `??`), `try`. */
  form: 'if' | 'switch' | 'conditional' | 'try';
  /** The condition (or switch subject) as written; `''` for `try`. */
  condition: string;
  /** `if`: then, else. `switch`: one path per clause in order. `try`: try block, catch block, finally block. */
  paths: SchemaNode[][];
  /** `switch` only: each clause's label as written (the case expression, or `default`), in the order of `paths`. */
  clauses?: string[];
}

/** `for`, `for…of`, `for…in`, `while`, `do…while` and array callbacks (`forEach`, `map`, …): a body repeated. */
export interface LoopNode extends At, Uses {
  kind: 'loop';
  /** The loop header as written (`for (const item of input.items)`), whitespace collapsed. */
  header: string;
  body: SchemaNode[];
}

/**
 * A call that hands the context to code codegen does not follow (a function outside the class, a recursive
 * method): whatever it records is unknown here; `durable-gen replay` proves it against real journals.
 */
export interface OpaqueNode extends At {
  kind: 'opaque';
  /** The call as written. */
  call: string;
  /**
   * Why codegen did not follow it: `external-function` (a function of another module given the context),
   * `function-argument` (a function that records, handed to code the walk does not follow), `computed-function`
   * (a map's per-item code computed at run time), `recursive`, `step-reference` (a `@Step` method taken as a
   * value, `this.pack.bind(this)`, and called where the walk cannot see), `unknown-method` (`this.x()` where
   * the class and its bases in the project declare no `x`).
   */
  reason: string;
  /**
   * For a function imported from another module of the project: 16 hex chars of sha256 over its code as
   * written, so a change of that function is a change of the node. Absent when it cannot be resolved.
   */
  codeHash?: string;
}

/**
 * `return`, `throw`, `break` or `continue` under control flow, where operations may follow it: it decides
 * which of them run as much as a condition does. (One that nothing can follow, the last statement of a
 * function, is left out.) A `return` inside a helper the walk inlined ends that helper.
 */
export interface ExitNode extends At {
  kind: 'exit';
  form: 'return' | 'throw' | 'break' | 'continue';
}

/** The durable operation kinds (the journal's), as opposed to control-flow nodes. */
export const OPERATION_KINDS = [
  'step',
  'sleep',
  'now',
  'random',
  'uuid',
  'callback',
  'invoke',
  'parallel',
  'map',
] as const;

export function isOperationNode(node: SchemaNode): node is OperationNode {
  return (OPERATION_KINDS as readonly string[]).includes(node.kind);
}
