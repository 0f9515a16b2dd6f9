// Modals of the incident workflow: the optional resolve summary, and declaring an incident from a failed deploy.
import { severityLabel, type Incident, type Severity } from '../../../domain/incidents.js';
import { incidentId } from '../../../domain/incidents.js';
import type { IncidentOrigin } from '../../../domain/incidents.js';
import { actions, button } from './kit.js';

export const VIEW_RESOLVE = 'incident_resolve_view';
export const VIEW_DECLARE = 'incident_declare_view';
export const ACTION_DECLARE_FROM_DEPLOY = 'incident_declare_from_deploy';
export const SUMMARY_BLOCK = 'summary';
export const SUMMARY_INPUT = 'summary_input';
export const SEVERITY_BLOCK = 'severity';
export const SEVERITY_INPUT = 'severity_input';
export const TITLE_BLOCK = 'title';
export const TITLE_INPUT = 'title_input';

const plain = (text: string) => ({ type: 'plain_text', text: text.slice(0, 24), emoji: true });

/** Asks for an optional summary; private_metadata is the incident number (re-checked on submit). */
export function resolveModal(incident: Incident): Record<string, unknown> {
  return {
    type: 'modal',
    callback_id: VIEW_RESOLVE,
    private_metadata: String(incident.number),
    title: plain(`Resolve ${incidentId(incident.number)}`),
    submit: plain('Resolve'),
    close: plain('Cancel'),
    blocks: [
      {
        type: 'input',
        block_id: SUMMARY_BLOCK,
        optional: true,
        label: { type: 'plain_text', text: 'Summary (optional): what happened, what fixed it' },
        element: { type: 'plain_text_input', action_id: SUMMARY_INPUT, multiline: true, max_length: 3000 },
      },
    ],
  };
}

/** Declares an incident from a failed deploy, prefilled; private_metadata is the run id (re-read on submit). */
export function declareModal(origin: IncidentOrigin, suggested: Severity, known: Severity[]): Record<string, unknown> {
  const option = (s: Severity) => ({ text: { type: 'plain_text', text: severityLabel(s) }, value: s });
  return {
    type: 'modal',
    callback_id: VIEW_DECLARE,
    private_metadata: origin.runId,
    title: plain('Declare incident'),
    submit: plain('Declare'),
    close: plain('Cancel'),
    blocks: [
      {
        type: 'input',
        block_id: SEVERITY_BLOCK,
        label: { type: 'plain_text', text: 'Severity' },
        element: { type: 'static_select', action_id: SEVERITY_INPUT, options: known.map(option), initial_option: option(suggested) },
      },
      {
        type: 'input',
        block_id: TITLE_BLOCK,
        label: { type: 'plain_text', text: 'Title' },
        element: { type: 'plain_text_input', action_id: TITLE_INPUT, max_length: 300, initial_value: `${origin.kind === 'rollback' ? 'Rollback' : 'Deploy'} of ${origin.version} to ${origin.env} failed` },
      },
    ],
  };
}

/** The button a failed production deploy or rollback shows in its thread; the value is the run id only. */
export function declareIncidentButton(runId: string): object {
  return actions(`declare-${runId}`, [button({ text: 'Declare incident', actionId: ACTION_DECLARE_FROM_DEPLOY, value: runId, style: 'danger' })]);
}
