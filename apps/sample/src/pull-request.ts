/** What the webhook tells us about a pull request. */
export interface PullRequest {
  repository: string;
  number: number;
  title: string;
  author: string;
  files: ChangedFile[];
}

export interface ChangedFile {
  path: string;
  /** The added lines of the diff. */
  added: string[];
}

/** The webhook event: its own id becomes the execution id, so a redelivered event never starts a second review. */
export interface PullRequestEvent {
  id: string;
  type: 'pull_request.opened';
  pullRequest: PullRequest;
  /** How long the review waits before posting, in seconds (short locally, longer in production). */
  cooldownSeconds: number;
}

export interface Finding {
  path: string;
  line: number;
  rule: string;
  message: string;
}
