import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Counts the commands a DynamoDB client sends, by command name (retries of one command count once). */
export class RequestCounter {
  readonly counts = new Map<string, number>();

  constructor(client: DynamoDBClient) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = String(context.commandName).replace(/Command$/, '');
        this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', name: `requestCounter${Math.random()}` },
    );
  }

  count(name: string): number {
    return this.counts.get(name) ?? 0;
  }

  total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  reset(): void {
    this.counts.clear();
  }
}
