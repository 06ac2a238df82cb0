/** Where durable-gen looks for services when the command line names no paths: the app's TypeScript sources. */
export const DEFAULT_SOURCES = ['src/**/*.ts'];
