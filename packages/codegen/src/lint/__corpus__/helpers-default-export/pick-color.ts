const colors = ['red', 'green', 'blue'];

const pick = (): string => colors[Math.floor(Math.random() * colors.length)] ?? 'red'; // expect: nondeterministic-random via TicketService.open → pickColor

export default pick;
