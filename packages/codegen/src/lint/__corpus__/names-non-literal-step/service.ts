import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';

const STEP_NAME = `save-${process.env.STAGE}`;

@DurableService()
export class DynamicNameService {
  @Workflow()
  async run(_ctx: DurableContext): Promise<string> {
    return this.save();
  }

  @Step({ name: STEP_NAME }) // expect: non-literal-options
  async save(): Promise<string> {
    return 'saved';
  }
}
