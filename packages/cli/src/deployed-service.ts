/**
 * How a durable service looks on Lambda, for `deploy`, which makes it so, and
 * `dev`, which recognises it.
 */

/** The tag `durable-gen deploy` puts on a service's function; its value is the service's name. */
export const SERVICE_TAG = 'durable:service';

/** The alias `durable-gen deploy` moves to each new version (`--alias` names another). New executions go there. */
export const DEFAULT_ALIAS = 'live';
