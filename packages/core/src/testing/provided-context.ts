import 'vitest';

/** What test/support/dynamodb-global-setup.ts provides to every test file (vitest `inject`). */
declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoints: Record<'dynalite' | 'dynamodb-local', string>;
  }
}
