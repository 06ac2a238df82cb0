/** A script nobody imports from workflow code. */
const seed = Math.random();
setTimeout(() => console.log(seed), 1_000);
