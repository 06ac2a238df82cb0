import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';

@DurableService()
export class DuplicateService {
  @Workflow()
  async run(_ctx: DurableContext): Promise<string> {
    return (await this.first()) + (await this.second());
  }

  @Step({ name: 'save' })
  async first(): Promise<string> {
    return 'a';
  }

  // biome-ignore format: the expectation must stay on the line of the method's name
  @Step({ name: 'save' })
  async second(): Promise<string> { // expect: duplicate-step
    return 'b';
  }
}
