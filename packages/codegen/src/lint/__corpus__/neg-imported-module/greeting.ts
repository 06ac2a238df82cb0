/** A module the workflow imports: only the function it calls is workflow code. */
const loadedFrom = new Date(0).toISOString();

export function greet(name: string): string {
  return `hello ${name} (${loadedFrom})`;
}

/** Exported next to it, never called by workflow code. */
export function randomGreeting(): string {
  return Math.random() < 0.5 ? 'hi' : 'hello';
}
