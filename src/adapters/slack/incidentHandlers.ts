// `/incident`, the card's buttons and the incident modals: ack at once, then run the incident workflow and answer privately.
import { randomBytes } from 'node:crypto';
import type { App, RespondFn } from '@slack/bolt';
import { parseIncidentCommand } from '../../domain/incidentCommands.js';
import { IncidentRefusal, type IncidentProblem } from '../../domain/incidentEvents.js';
import { knownSeverities, suggestedSeverity } from '../../domain/incidentPolicy.js';
import { incidentId, parseSeverity } from '../../domain/incidents.js';
import type { DeployRequest } from '../../domain/types.js';
import type { Background } from '../../runtime/background.js';
import { incidentProblemText, incidentUsage } from '../../wording/incidentEvents.js';
import { acknowledgeIncident, changeCommander, escalateIncident, incidentOfChannel, listOpenIncidents, openIncident, postUpdate, regradeIncident } from '../../workflows/incidentActions.js';
import { declareIncident } from '../../workflows/incidentDeclare.js';
import { originOf } from '../../workflows/incidentDeliveries.js';
import type { IncidentDeps } from '../../workflows/incidentPorts.js';
import { resolveIncident } from '../../workflows/incidentResolve.js';
import { ACTION_ACKNOWLEDGE, ACTION_ESCALATE, ACTION_RESOLVE, incidentList } from './blocks/incidentCard.js';
import { ACTION_DECLARE_FROM_DEPLOY, declareModal, resolveModal, SEVERITY_BLOCK, SEVERITY_INPUT, SUMMARY_BLOCK, SUMMARY_INPUT, TITLE_BLOCK, TITLE_INPUT, VIEW_DECLARE, VIEW_RESOLVE } from './blocks/incidentModals.js';
import { slackWords } from './mrkdwn.js';

export interface IncidentHandlerOptions {
  /** reads a deploy or rollback request (for "Declare incident" on a failed one) */
  requests: { getRequest(id: string): Promise<DeployRequest | null> };
  metrics: { command(name: string): void };
}

const warn = (problem: IncidentProblem) => `${slackWords.emoji('warning')} ${incidentProblemText(slackWords, problem)}`;

export function registerIncidentHandlers(app: App, deps: IncidentDeps, background: Background, opts: IncidentHandlerOptions): void {
  const known = () => knownSeverities(deps.config.incidents);

  app.command('/incident', async ({ command, ack, respond, client }) => {
    opts.metrics.command('incident');
    let parsed: ReturnType<typeof parseIncidentCommand>;
    try {
      parsed = parseIncidentCommand(command.text, known());
    } catch (err) {
      await ack({ response_type: 'ephemeral', text: refusalText(deps, err) });
      return;
    }
    const user = command.user_id;
    const channel = command.channel_id;
    switch (parsed.kind) {
      case 'help':
        return ack({ response_type: 'ephemeral', text: incidentUsage(slackWords).join('\n') });
      case 'list':
        await ack();
        return background.run('incident-list', () => reply(deps, respond, async () => respond({ response_type: 'ephemeral', text: incidentList(await listOpenIncidents(deps), deps.clock.now()) })));
      case 'declare':
        await ack({ response_type: 'ephemeral', text: `Declaring ${parsed.severity.toUpperCase()}: ${slackWords.text(parsed.title)}…` });
        return background.run('incident-declare', () =>
          reply(deps, respond, async () => {
            const incident = await declareIncident(deps, { severity: parsed.severity, title: parsed.title, user });
            await respond({ response_type: 'ephemeral', text: `${slackWords.bold(incidentId(incident.number))} declared: ${incident.channel ? slackWords.channel(incident.channel) : 'no channel'}` });
          }),
        );
      case 'resolve':
        await ack();
        return background.run('incident-resolve-modal', () =>
          reply(deps, respond, async () => {
            const incident = await incidentOfChannel(deps, channel, 'resolve');
            await client.views.open({ trigger_id: command.trigger_id, view: resolveModal(incident) as never });
          }),
        );
      case 'sev':
        await ack();
        return background.run('incident-sev', () => reply(deps, respond, async () => void (await regradeIncident(deps, channel, user, parsed.severity))));
      case 'update':
        await ack();
        return background.run('incident-update', () => reply(deps, respond, () => postUpdate(deps, channel, user, parsed.text)));
      case 'lead':
        await ack();
        return background.run('incident-lead', () => reply(deps, respond, async () => void (await changeCommander(deps, channel, user, parsed.user))));
    }
  });

  const onButton = (actionId: string, name: string, work: (number: number, user: string, triggerId: string) => Promise<unknown>) =>
    app.action(actionId, async ({ ack, body, action }) => {
      await ack();
      const b = body as { user?: { id?: string }; channel?: { id?: string }; container?: { channel_id?: string }; trigger_id?: string };
      const click = { user: String(b.user?.id ?? ''), channel: String(b.channel?.id ?? b.container?.channel_id ?? ''), trigger: String(b.trigger_id ?? '') };
      const value = String((action as { value?: string }).value ?? '');
      background.run(name, async () => {
        try {
          await work(Number(value), click.user, click.trigger);
        } catch (err) {
          await tellRefusal(deps, click.channel, click.user, err);
        }
      });
    });

  onButton(ACTION_ACKNOWLEDGE, 'incident-acknowledge', (n, user) => acknowledgeIncident(deps, n, user));
  onButton(ACTION_ESCALATE, 'incident-escalate', (n, user) => escalateIncident(deps, n, user));
  onButton(ACTION_RESOLVE, 'incident-resolve-modal', async (n, _user, trigger) => app.client.views.open({ trigger_id: trigger, view: resolveModal(await openIncident(deps, n)) as never }));

  app.action(ACTION_DECLARE_FROM_DEPLOY, async ({ ack, body, action }) => {
    await ack();
    const b = body as { user?: { id?: string }; channel?: { id?: string }; trigger_id?: string };
    const runId = String((action as { value?: string }).value ?? '');
    background.run('incident-declare-modal', async () => {
      try {
        const origin = originOf(await opts.requests.getRequest(runId));
        if (!origin) throw new IncidentRefusal({ code: 'deploy-not-failed', runId });
        await app.client.views.open({ trigger_id: String(b.trigger_id ?? ''), view: declareModal(origin, suggestedSeverity(origin.env, known()), known()) as never });
      } catch (err) {
        await tellRefusal(deps, String(b.channel?.id ?? ''), String(b.user?.id ?? ''), err);
      }
    });
  });

  app.view(VIEW_RESOLVE, async ({ ack, body, view }) => {
    await ack();
    const user = body.user.id;
    const summary = view.state.values[SUMMARY_BLOCK]?.[SUMMARY_INPUT]?.value?.trim() || null;
    background.run('incident-resolve', async () => {
      try {
        await resolveIncident(deps, Number(view.private_metadata), user, summary ? summary.slice(0, 3_000) : null);
      } catch (err) {
        const incident = await deps.store.getIncident(Number(view.private_metadata));
        await tellRefusal(deps, incident?.channel ?? user, user, err);
      }
    });
  });

  app.view(VIEW_DECLARE, async ({ ack, body, view }) => {
    const severity = parseSeverity(view.state.values[SEVERITY_BLOCK]?.[SEVERITY_INPUT]?.selected_option?.value ?? '');
    const title = view.state.values[TITLE_BLOCK]?.[TITLE_INPUT]?.value?.trim() ?? '';
    if (!severity || !known().includes(severity) || title === '') {
      await ack({ response_action: 'errors', errors: severity ? { [TITLE_BLOCK]: 'Give the incident a title.' } : { [SEVERITY_BLOCK]: 'Choose a severity.' } });
      return;
    }
    await ack();
    const user = body.user.id;
    background.run('incident-declare-from-deploy', async () => {
      const origin = originOf(await opts.requests.getRequest(view.private_metadata));
      try {
        await declareIncident(deps, { severity, title: title.slice(0, 300), user, ...(origin ? { origin } : {}) });
      } catch (err) {
        await tellRefusal(deps, origin?.thread?.channel ?? user, user, err);
      }
    });
  });
}

async function reply(deps: IncidentDeps, respond: RespondFn, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (err) {
    await respond({ response_type: 'ephemeral', replace_original: false, text: refusalText(deps, err) });
  }
}

/** Tells the person what went wrong with their click or submission: a refusal in words, anything else with a reference. */
async function tellRefusal(deps: IncidentDeps, channel: string, user: string, err: unknown): Promise<void> {
  if (err instanceof IncidentRefusal) return deps.chat.refuse(channel, user, err.problem);
  const reference = `err-${randomBytes(4).toString('hex')}`;
  deps.log.error({ err, reference }, 'incident action failed');
  await deps.chat.refuse(channel, user, { code: 'incident-action-failed', reference }).catch((again: unknown) => deps.log.warn({ err: again, reference }, 'could not tell the person'));
}

function refusalText(deps: IncidentDeps, err: unknown): string {
  if (err instanceof IncidentRefusal) return warn(err.problem);
  const reference = `err-${randomBytes(4).toString('hex')}`;
  deps.log.error({ err, reference }, 'incident command failed');
  return `${slackWords.emoji('x')} Something failed on our side (reference ${reference}). Try again or ask the platform team.`;
}
