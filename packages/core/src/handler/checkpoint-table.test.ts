import { afterEach, describe, expect, it, vi } from 'vitest';
import { serviceDefinition } from '../decorators/metadata.js';
import { ConfigurationError, createHandler, type DurableContext, DurableService, Workflow } from '../index.js';
import { DynamoDbStore } from '../stores/dynamodb/dynamodb-store.js';
import { MemoryStore } from '../stores/memory-store.js';
import { rejectionOf, thrownBy, uniqueId } from '../testing/fixtures.js';
import { resolveStore } from './checkpoint-table.js';

@DurableService({ name: 'table-plain' })
class Plain {
  @Workflow() async go(_ctx: DurableContext) {
    return 'went';
  }
}

@DurableService({ name: 'table-named', table: 'decorated' })
class Named {
  @Workflow() async go(_ctx: DurableContext) {
    return 'went';
  }
}

const plain = serviceDefinition(Plain);
const named = serviceDefinition(Named);

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the checkpoint table of a handler', () => {
  it('is any one of createHandler({ table }), @DurableService({ table }) and DURABLE_TABLE, or all of them agreeing', () => {
    expect(resolveStore({ table: 'generated' }, plain, {})).toBeInstanceOf(DynamoDbStore);
    expect(resolveStore({}, named, {})).toBeInstanceOf(DynamoDbStore);
    expect(resolveStore({}, plain, { DURABLE_TABLE: 'from-env' })).toBeInstanceOf(DynamoDbStore);
    expect(resolveStore({ table: 'decorated' }, named, { DURABLE_TABLE: 'decorated' })).toBeInstanceOf(DynamoDbStore);
  });

  it('is not needed with a store, which wins over any table', () => {
    const store = new MemoryStore();
    expect(resolveStore({ store, table: 'generated' }, named, { DURABLE_TABLE: 'other' })).toBe(store);
  });

  it('refuses a DURABLE_TABLE that names another table than the generated handler, naming both', () => {
    const error = thrownBy(() => resolveStore({ table: 'generated' }, plain, { DURABLE_TABLE: 'other' }));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(
      "Plain is given two checkpoint tables: 'generated' by createHandler({ table })",
    );
    expect((error as Error).message).toContain("and 'other' by DURABLE_TABLE; its IAM policy allows one table");
    expect((error as Error).message).toContain("Unset DURABLE_TABLE (or set it to 'generated')");
    expect((error as Error).message).toContain('durable-gen generate --table other');
  });

  it("refuses a DURABLE_TABLE that names another table than the decorator's", () => {
    expect(() => resolveStore({}, named, { DURABLE_TABLE: 'other' })).toThrow(
      "'decorated' by @DurableService({ table }), and 'other' by DURABLE_TABLE",
    );
  });

  it("refuses a createHandler table that is not the decorator's", () => {
    expect(() => resolveStore({ table: 'generated' }, named, {})).toThrow(
      "'generated' by createHandler({ table }) (the generated handler, as durable-gen generate resolved it), and 'decorated' by @DurableService({ table })",
    );
  });

  it('says where to name a table when none is, and refuses an empty one', () => {
    const none = thrownBy(() => resolveStore({}, plain, { DURABLE_TABLE: '' }));
    expect(none).toBeInstanceOf(ConfigurationError);
    expect((none as Error).message).toMatch(/^Plain has no checkpoint table: set DURABLE_TABLE on the function/);
    expect((none as Error).message).toContain('generate --table writes the table into it');
    expect((none as Error).message).not.toContain('deploy');
    expect(() => resolveStore({ table: '' }, plain, {})).toThrow('table must name a DynamoDB table');
  });

  it('is checked by the handler before it runs anything', async () => {
    vi.stubEnv('DURABLE_TABLE', 'other');
    const handler = createHandler(Plain, { table: 'generated' });
    const error = await rejectionOf(handler({ executionId: uniqueId('table'), input: {} }));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain("'generated' by createHandler({ table })");
  });
});
