import { type DurableContext, DurableService, Workflow } from '@durable/core';
import makeId from './make-id.js';
import pickColor from './pick-color.js';

@DurableService()
export class TicketService {
  @Workflow()
  async open(_ctx: DurableContext): Promise<string> {
    return `${makeId()}-${pickColor()}`;
  }
}
