import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  configuredHandlerOptions,
  createHandler,
  type DurableContext,
  DurableService,
  defineDurableConfig,
  PayloadTooLargeError,
  Workflow,
} from '../index.js';
import { RecordingLogger, rejectionOf, thrownBy, uniqueId } from '../testing/fixtures.js';
import { testStore } from '../testing/test-store.js';

@DurableService({ name: 'config-echo' })
class Echo {
  @Workflow() async echo(ctx: DurableContext, input: string) {
    ctx.logger.info('echoing');
    return input;
  }
}

describe('configuredHandlerOptions', () => {
  it('gives every handler the options of the config, or what its function returns for the service', () => {
    const logger = new RecordingLogger();
    expect(configuredHandlerOptions(defineDurableConfig({ handler: { logger, leaseMs: 60_000 } }), Echo)).toEqual({
      logger,
      leaseMs: 60_000,
    });
    const perService = defineDurableConfig({
      handler: (service) => ({ maxPayloadBytes: service.name === 'config-echo' ? 100 : 200 }),
    });
    expect(configuredHandlerOptions(perService, Echo)).toEqual({ maxPayloadBytes: 100 });
    expect(configuredHandlerOptions(defineDurableConfig({}), Echo)).toEqual({});
  });

  it('reaches the handler: a logger and maxPayloadBytes from the config are the ones it uses', async () => {
    const logger = new RecordingLogger();
    const config = defineDurableConfig({ handler: { logger, maxPayloadBytes: 64 } });
    const handler = createHandler(Echo, { ...configuredHandlerOptions(config, Echo), store: testStore() });

    await handler({ executionId: uniqueId('config'), input: 'short' });
    expect(logger.messages()).toContain('echoing');
    expect(await rejectionOf(handler({ executionId: uniqueId('config'), input: 'x'.repeat(100) }))).toBeInstanceOf(
      PayloadTooLargeError,
    );
  });

  it.each([
    [
      'a misspelled option',
      { handler: { maxPayloadByte: 10 } },
      "unknown handler option 'maxPayloadByte'. It takes: logger, observer, maxPayloadBytes",
    ],
    [
      'the table',
      { handler: { table: 't' } },
      "handler option 'table' cannot be set here: the table is written into each generated handler",
    ],
    ['a store', { handler: { store: {} } }, "handler option 'store' cannot be set here"],
    ['an invoker', { handler: { invoker: {} } }, "handler option 'invoker' cannot be set here"],
    ['an unknown top-level key', { handlers: {} }, "unknown key 'handlers'; the config takes 'handler' only"],
    ['a handler that is no object', { handler: 5 }, "'handler' must be an object of createHandler options"],
    ['no config object', undefined, 'must `export default defineDurableConfig({ handler: { ... } })`'],
  ])('refuses %s, saying what to do', (_what, config, says) => {
    const error = thrownBy(() => configuredHandlerOptions(config, Echo));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(
      "src/durable.config.ts (read by the generated handler of 'config-echo')",
    );
    expect((error as Error).message).toContain(says);
  });
});
