export { choose as pickShard } from './shards.js';
export * from './tags.js';
