import {
  type ArrowFunction,
  type CallExpression,
  type FunctionDeclaration,
  type FunctionExpression,
  type MethodDeclaration,
  Node,
  SyntaxKind,
} from 'ts-morph';
import type { StepModel } from '../model.js';
import { clientModuleService } from '../scanner/walk-workflow.js';
import { branch, controlFlow } from './control-flow.js';
import { CONTEXT_OPERATIONS, contextOperation, opaque } from './durable-calls.js';
import { exitOf, recordsOperation, withoutTrailingExits } from './exits.js';
import { importedFunctionHash } from './imported-code.js';
import type { SchemaNode } from './schema-nodes.js';
import { sourceText } from './source-text.js';
import { line, localFunction, memberOf, moduleFunction, unwrap } from './syntax.js';
import { usesOf } from './uses.js';

/** What the extraction needs to know of the workflow's class. */
export interface SchemaSources {
  /** The class's `@Step` methods, by method name. */
  steps: ReadonlyMap<string, StepModel>;
  /** Every method of the class and of its bases in the project, by name: the helpers a workflow may call through `this`. */
  methods: ReadonlyMap<string, MethodDeclaration>;
}

/** Code the walk can follow into: a method of the class, or a function written in it. */
export type FunctionCode = ArrowFunction | FunctionExpression | FunctionDeclaration | MethodDeclaration;

/** A function value the walk knows the code of, with the scope it was written in. */
export interface Closure {
  code: FunctionCode;
  scope: Scope;
}

/** What the walk knows at a point of the code. */
export interface Scope {
  /** Names that hold a DurableContext (the workflow's parameter, a branch's, a helper's, an alias). */
  contexts: Set<string>;
  /** Parameters of an inlined function that were given a function the walk knows. */
  functions: Map<string, Closure>;
}

/**
 * The operation schema of a workflow method: every durable operation its code can reach, in the order it
 * calls them, inside the control flow that decides whether they run. Helper methods of the class are
 * inlined where they are called; code that is handed the context and that the walk cannot see into
 * becomes an opaque node.
 */
export function extractSchema(workflow: MethodDeclaration, sources: SchemaSources): SchemaNode[] {
  const [first] = workflow.getParameters();
  const contexts = new Set<string>();
  if (first !== undefined && Node.isIdentifier(first.getNameNode())) contexts.add(first.getName());
  const schema = new SchemaWalker(sources, false).inline(workflow, { contexts, functions: new Map() }, workflow);
  return withoutTrailingExits(schema);
}

/** Array methods whose function argument runs once per element, in order: its operations repeat. */
const ARRAY_CALLBACKS = new Set([
  'every',
  'filter',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'flatMap',
  'forEach',
  'map',
  'reduce',
  'reduceRight',
  'some',
]);

/** Walks code in evaluation order, appending the schema nodes it meets. */
export class SchemaWalker {
  readonly #inlining = new Set<Node>();

  /** `isProbe`: a walk that only asks whether code records anything, where recursive calls record nothing. */
  constructor(
    readonly sources: SchemaSources,
    private readonly isProbe: boolean,
  ) {}

  /** The schema of running `code` in `scope`; `call` is where it is called, for a recursive call's node. */
  inline(code: FunctionCode, scope: Scope, call: Node): SchemaNode[] {
    if (this.#inlining.has(code)) return this.#recursive(code, scope, call);
    this.#inlining.add(code);
    try {
      const body = code.getBody();
      if (body === undefined) return [];
      // A `return` or `throw` among the function's own statements ends it: nothing of it follows.
      return this.walk(body, scope).filter((node) => node.kind !== 'exit');
    } finally {
      this.#inlining.delete(code);
    }
  }

  /** A function called with `args` (and contexts at `contextParameters`), in the scope it was written in. */
  enter(
    closure: Closure,
    args: readonly Node[],
    caller: Scope,
    call: Node,
    contextParameters: number[] = [],
  ): SchemaNode[] {
    const scope: Scope = { contexts: new Set(closure.scope.contexts), functions: new Map(closure.scope.functions) };
    closure.code.getParameters().forEach((parameter, index) => {
      if (!Node.isIdentifier(parameter.getNameNode())) return;
      const name = parameter.getName();
      const arg = args[index];
      if (contextParameters.includes(index) || (arg !== undefined && this.isContext(arg, caller))) {
        scope.contexts.add(name);
        return;
      }
      // A parameter hides whatever the same name meant around the function.
      scope.contexts.delete(name);
      scope.functions.delete(name);
      const given = arg === undefined ? undefined : this.closureOf(arg, caller);
      if (given !== undefined) scope.functions.set(name, given);
    });
    return this.inline(closure.code, scope, call);
  }

  /** The schema of `node` on its own: a path of a branch, a loop's body. */
  walk(node: Node, scope: Scope): SchemaNode[] {
    const out: SchemaNode[] = [];
    this.visit(node, scope, out);
    return out;
  }

  /** Appends to `out` what running `node` records, in evaluation order. */
  visit(node: Node, scope: Scope, out: SchemaNode[]): void {
    if (Node.isCallExpression(node)) {
      this.#call(node, scope, out);
      return;
    }
    const exit = exitOf(node);
    if (exit !== undefined) {
      node.forEachChild((child) => this.visit(child, scope, out));
      out.push(exit);
      return;
    }
    // `this.pack.bind(this)`, `const pack = this.pack`: a step called where the walk cannot follow the value.
    if (
      Node.isPropertyAccessExpression(node) &&
      node.getExpression().getKind() === SyntaxKind.ThisKeyword &&
      this.sources.steps.has(node.getName())
    ) {
      out.push(opaque(node, 'step-reference'));
      return;
    }
    // A definition runs nothing where it stands: its code is walked where it is called.
    if (
      Node.isArrowFunction(node) ||
      Node.isFunctionExpression(node) ||
      Node.isFunctionDeclaration(node) ||
      Node.isMethodDeclaration(node) ||
      Node.isGetAccessorDeclaration(node) ||
      Node.isSetAccessorDeclaration(node) ||
      Node.isClassDeclaration(node) ||
      Node.isClassExpression(node)
    ) {
      return;
    }
    if (controlFlow(this, node, scope, out)) return;
    if (Node.isVariableDeclaration(node)) {
      const initializer = node.getInitializer();
      // `const c = ctx`: operations called on the alias are the context's.
      if (initializer !== undefined && Node.isIdentifier(node.getNameNode()) && this.isContext(initializer, scope)) {
        scope.contexts.add(node.getName());
      }
    }
    node.forEachChild((child) => this.visit(child, scope, out));
    if (Node.isNewExpression(node) && (node.getArguments() ?? []).some((arg) => this.isContext(arg, scope))) {
      out.push(opaque(node, 'external-function'));
    }
  }

  /** True when `node` names a DurableContext in `scope`. */
  isContext(node: Node, scope: Scope): boolean {
    const bare = unwrap(node);
    return Node.isIdentifier(bare) && scope.contexts.has(bare.getText());
  }

  /** The code of a function value: a function written here, a parameter given one, or a local function. */
  closureOf(node: Node, scope: Scope): Closure | undefined {
    const bare = unwrap(node);
    if (Node.isArrowFunction(bare) || Node.isFunctionExpression(bare)) return { code: bare, scope };
    if (!Node.isIdentifier(bare)) return undefined;
    const given = scope.functions.get(bare.getText());
    if (given !== undefined) return given;
    const local = localFunction(bare);
    if (local !== undefined) return { code: local, scope };
    // A function of the file, outside the class, sees none of the caller's names: only what it is given.
    const written = moduleFunction(bare);
    return written === undefined ? undefined : { code: written, scope: { contexts: new Set(), functions: new Map() } };
  }

  #call(call: CallExpression, scope: Scope, out: SchemaNode[]): void {
    const callee = unwrap(call.getExpression());
    const args = call.getArguments();
    if (Node.isArrowFunction(callee) || Node.isFunctionExpression(callee)) {
      this.#arguments(args, scope, out);
      out.push(...this.enter({ code: callee, scope }, args, scope, call));
      return;
    }
    const member = memberOf(callee);
    if (member !== undefined) {
      const receiver = unwrap(member.receiver);
      if (receiver.getKind() === SyntaxKind.ThisKeyword) {
        this.#thisCall(call, member.name, scope, out);
        return;
      }
      if (CONTEXT_OPERATIONS.has(member.name) && this.isContext(receiver, scope)) {
        contextOperation(this, call, member.name, scope, out);
        return;
      }
      const service = Node.isIdentifier(receiver) ? clientModuleService(receiver) : undefined;
      if (service !== undefined) {
        this.#arguments(args, scope, out);
        const input = args[1];
        const target = `${service}.${member.name}`;
        const uses = usesOf([input]);
        out.push({
          kind: 'invoke',
          target,
          input: input === undefined ? '' : sourceText(input),
          ...(uses === undefined ? {} : { uses }),
          line: line(call),
        });
        return;
      }
      if (ARRAY_CALLBACKS.has(member.name) && args.some((arg) => this.closureOf(arg, scope) !== undefined)) {
        this.#arrayCallback(call, member.receiver, scope, out);
        return;
      }
      if (['then', 'catch', 'finally'].includes(member.name) && args.some((a) => this.closureOf(a, scope))) {
        this.#promiseCallbacks(call, member.receiver, member.name, scope, out);
        return;
      }
    }
    if (Node.isIdentifier(callee)) {
      const closure = this.closureOf(callee, scope);
      if (closure !== undefined) {
        this.#arguments(args, scope, out);
        out.push(...this.enter(closure, args, scope, call));
        return;
      }
    }
    this.visit(call.getExpression(), scope, out);
    let reason: string | undefined;
    for (const arg of args) {
      const closure = this.closureOf(arg, scope);
      if (closure !== undefined) {
        // A function handed to code the walk does not follow runs there, any number of times.
        if (this.enter(closure, [], scope, arg).length > 0) reason = 'function-argument';
      } else {
        this.visit(arg, scope, out);
      }
    }
    if (args.some((arg) => this.isContext(arg, scope))) reason = 'external-function';
    if (reason === undefined) return;
    const codeHash = Node.isIdentifier(callee) ? importedFunctionHash(callee) : undefined;
    out.push({ ...opaque(call, reason), ...(codeHash === undefined ? {} : { codeHash }) });
  }

  /** `this.x(…)`: a `@Step` method is a step; another method of the class is inlined. */
  #thisCall(call: CallExpression, method: string, scope: Scope, out: SchemaNode[]): void {
    const args = call.getArguments();
    this.#arguments(args, scope, out);
    const step = this.sources.steps.get(method);
    if (step !== undefined) {
      const texts = args.map((arg) => sourceText(arg));
      const uses = usesOf(args);
      out.push({
        kind: 'step',
        name: step.name,
        semantics: step.semantics,
        args: texts,
        ...(uses === undefined ? {} : { uses }),
        method,
        line: line(call),
      });
      return;
    }
    const helper = this.sources.methods.get(method);
    if (helper !== undefined) {
      // A method sees none of the caller's names: only what it is given.
      const empty: Scope = { contexts: new Set(), functions: new Map() };
      out.push(...this.enter({ code: helper, scope: empty }, args, scope, call));
      return;
    }
    // A method the class and its bases in the project do not declare (a property holding a function, a base
    // class from a package): what it records is unknown here.
    out.push(opaque(call, 'unknown-method'));
  }

  /** `items.forEach(fn)`, `items.map(fn)`, …: the function's operations repeat once per item. */
  #arrayCallback(call: CallExpression, receiver: Node, scope: Scope, out: SchemaNode[]): void {
    this.visit(receiver, scope, out);
    const body: SchemaNode[] = [];
    for (const arg of call.getArguments()) {
      const closure = this.closureOf(arg, scope);
      if (closure === undefined) this.visit(arg, scope, out);
      else body.push(...this.enter(closure, [], scope, arg));
    }
    if (!recordsOperation(body)) return;
    const uses = usesOf([call.getExpression()]);
    const header = `${sourceText(call.getExpression())}(…)`;
    out.push({ kind: 'loop', header, ...(uses === undefined ? {} : { uses }), body, line: line(call) });
  }

  /** `.then(f)` and `.finally(f)` run `f` after the promise; `.catch(f)` (and `then`'s second) only on a failure. */
  #promiseCallbacks(call: CallExpression, receiver: Node, method: string, scope: Scope, out: SchemaNode[]): void {
    this.visit(receiver, scope, out);
    call.getArguments().forEach((arg, index) => {
      const closure = this.closureOf(arg, scope);
      if (closure === undefined) {
        this.visit(arg, scope, out);
        return;
      }
      const nodes = this.enter(closure, [], scope, arg);
      const onFailure = method === 'catch' || (method === 'then' && index === 1);
      if (!onFailure) out.push(...nodes);
      else branch(out, call, 'try', '', [[], nodes, []]);
    });
  }

  /** Arguments run before the call they are given to, in order; functions among them run where they are called. */
  #arguments(args: readonly Node[], scope: Scope, out: SchemaNode[]): void {
    for (const arg of args) this.visit(arg, scope, out);
  }

  /**
   * A call of a function already being inlined. It records what that function records, again: unknown here,
   * unless the function can record nothing at all (a recursive computation), which a probe walk finds out.
   */
  #recursive(code: FunctionCode, scope: Scope, call: Node): SchemaNode[] {
    if (this.isProbe) return [];
    const records = new SchemaWalker(this.sources, true).inline(code, scope, call).length > 0;
    return records ? [opaque(call, 'recursive')] : [];
  }
}
