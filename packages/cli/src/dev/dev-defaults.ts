/** What `durable-gen dev` plays when not told otherwise; light, so the command line can show it without loading the server. */

export const DEFAULT_DEV_PORT = 9001;
/** The account the sample and the README generate for. */
export const DEFAULT_DEV_ACCOUNT_ID = '123456789012';
