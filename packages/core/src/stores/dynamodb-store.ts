/**
 * Where `DynamoDbStore` lived before it became the folder `dynamodb/`: kept
 * only for imports not moved yet (handler/create-handler.ts). Import from
 * `./dynamodb/dynamodb-store.js`; delete this file once nothing imports it.
 */
export { DynamoDbStore, type DynamoDbStoreOptions } from './dynamodb/dynamodb-store.js';
export { type CreatedTable, RESUMABLE_INDEX } from './dynamodb/table.js';
