import { randomUUID } from 'node:crypto';

export default function makeId(): string {
  return randomUUID(); // expect: nondeterministic-random via TicketService.open → makeId
}
