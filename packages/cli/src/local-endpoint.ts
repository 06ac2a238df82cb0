/**
 * An endpoint on this machine (`durable-gen dev`, DynamoDB Local, dynalite)
 * checks no signature, yet the AWS SDK signs every request and needs
 * credentials to sign with: commands spare people inventing them.
 */

/** True when `endpoint` is a URL of this machine. */
export function isLoopback(endpoint: string | undefined): boolean {
  if (endpoint === undefined) return false;
  try {
    const { hostname } = new URL(endpoint);
    return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
  } catch {
    return false;
  }
}

/** Placeholder credentials for a loopback endpoint, unless the environment or a profile provides some. */
export function localCredentials(): { credentials?: { accessKeyId: string; secretAccessKey: string } } {
  if (process.env.AWS_ACCESS_KEY_ID !== undefined || process.env.AWS_PROFILE !== undefined) return {};
  return { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}
