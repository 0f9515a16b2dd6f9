// Test support: what a refusal says to the person in Slack, so tests can read a UserError's problem as its wording.
import { UserError } from '../../src/domain/problems.js';
import { slackWords } from '../../src/adapters/slack/mrkdwn.js';
import { wordProblem } from '../../src/wording/problems.js';

/** Runs `fn`, which must refuse with a UserError, and returns the refusal as Slack words. */
export function said(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof UserError) return wordProblem(err.problem, slackWords);
    throw err;
  }
  throw new Error('expected a refusal (UserError), but nothing was thrown');
}
