import { BACKENDS, type Backend, type Lifetimes, type RetryPolicy, type StepSemantics } from '@durable/core';
import type { SchemaNode } from './schema/schema-nodes.js';

/**
 * What the scanner finds in an app: its durable services as the emitters and
 * the lint rules need them. Paths are relative to the app's root, with `/`.
 */

/** A place in a source file (1-based). */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export interface AppModel {
  /** Absolute path of the app's root (where `generated/` goes by default). */
  root: string;
  services: ServiceModel[];
}

export interface ServiceModel {
  /** The class name, e.g. `ReviewService`. */
  className: string;
  /** The stable service name (`@DurableService({ name })`, or the class name in kebab-case). */
  name: string;
  /** Source file of the class, relative to the app root. */
  source: string;
  location: SourceLocation;
  /** Literal `@DurableService` options, as written. */
  account?: string;
  region?: string;
  functionName?: string;
  backend?: Backend;
  table?: string;
  /**
   * The decorator's `executionTimeout` and `retention`, core's defaults filling what it leaves out; absent when
   * they are invalid (reported).
   */
  lifetimes?: Lifetimes;
  workflows: WorkflowModel[];
  steps: StepModel[];
  /** Calls to other services through their generated clients (or `ctx.invoke`), in source order. */
  invokes: InvokeModel[];
  /** True when its workflow code calls `ctx.waitForCallback`: whatever completes them needs `iam/<service>-callbacks.json`. */
  waitsForCallbacks?: boolean;
}

export interface WorkflowModel {
  /** Stable name (`@Workflow({ name })` or the method name). */
  name: string;
  method: string;
  location: SourceLocation;
  /** Names of the steps the workflow can reach (directly or through methods of its class), in source order, once each. */
  steps: string[];
  /** Its operation schema: every durable operation it can reach, in call order, inside the control flow around them. */
  operations: SchemaNode[];
}

export interface StepModel {
  name: string;
  method: string;
  location: SourceLocation;
  semantics: StepSemantics;
  retry?: RetryPolicy;
  timeoutMs?: number;
}

export interface InvokeModel {
  /** Name of the target service. */
  service: string;
  /** Name of the target workflow. */
  workflow: string;
  /** The workflow method of this service whose code makes the call. */
  fromMethod: string;
  location: SourceLocation;
}

/** The backend that runs a service: its decorator's, else core's default (the first of `BACKENDS`). */
export function backendOf(service: Pick<ServiceModel, 'backend'>): Backend {
  return service.backend ?? BACKENDS[0];
}
