// The sandbox console: type slash commands and button presses as any Slack user and watch what Slack would show.
import { createInterface } from 'node:readline/promises';
import type { World } from './world.js';
import { SIGNING_SECRET } from './world.js';
import { blockActionBody, postToSlackEndpoint, slashCommandBody } from './slack/requests.js';

const HELP = `Sandbox console. Every line is sent to Flightdeck the way Slack would send it (signed, to /slack/events).
  /deploy staging v3.0.0            run a slash command (as the current user)
  as U0LEAD                         become another Slack user (U0DEV, U0LEAD, U0EXEC1..3, U0ONCALL)
  approve last  /  reject fd-…      press the newest (or a named) request's Approve or Reject button
  messages                          show the channel again
  quit
Seed: dev runs v3.0.0, staging and production v2.9.0; U0LEAD approves staging, two of S0EXEC production.`;

export async function runConsole(world: World, flightdeckUrl: string, channel = 'C0DEPLOYS'): Promise<void> {
  // Lines are read as a stream, so piped input is not lost between prompts and its end quits like `quit`.
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: 'U0DEV> ' });
  let user = 'U0DEV';
  let shown = 0;
  const showNew = () => {
    const calls = world.slack.calls.slice(shown);
    shown = world.slack.calls.length;
    for (const call of calls) {
      if (!['chat.postMessage', 'chat.update', 'chat.postEphemeral'].includes(call.method)) continue;
      const where = call.args.thread_ts ? '  ↳ thread' : call.method === 'chat.update' ? '  ✎ updated' : call.method === 'chat.postEphemeral' ? `  (only ${call.args.user})` : '#';
      process.stdout.write(`${where} ${String(call.args.text ?? '')}\n`);
      for (const button of buttonsIn(call.args.blocks)) process.stdout.write(`    [${button.label}]  type: ${button.verb} ${button.value}\n`);
    }
  };
  const showAnswers = () => {
    showNew();
    for (const r of world.slack.responses.splice(0)) process.stdout.write(`  (reply) ${String(r.body?.text ?? JSON.stringify(r.body))}\n`);
  };
  const timer = setInterval(showNew, 200);
  process.stdout.write(`${HELP}\n`);
  rl.prompt();
  try {
    for await (const raw of rl) {
      const line = raw.trim();
      if (line === 'quit' || line === 'exit') break;
      if (line === 'help' || line === '') {
        process.stdout.write(`${HELP}\n`);
      } else if (line.startsWith('as ')) {
        user = line.slice(3).trim();
      } else if (line === 'messages') {
        shown = 0;
        showNew();
      } else if (/^(approve|reject) /.test(line)) {
        const [verb, named] = line.split(/\s+/);
        // A script may name a request before Flightdeck has posted it: wait a little for it to appear.
        let request = requestMessage(world, channel, named === 'last' ? undefined : named);
        for (let waited = 0; !request && waited < 5_000; waited += 100) {
          await new Promise((r) => setTimeout(r, 100));
          request = requestMessage(world, channel, named === 'last' ? undefined : named);
        }
        if (!request) {
          process.stdout.write(`No request ${named} in this channel.\n`);
          rl.prompt();
          continue;
        }
        const body = blockActionBody({ actionId: `deploy_${verb}`, value: request.id, userId: user, channelId: channel, messageTs: request.ts, responseUrl: world.slack.responseUrl({ channel, ts: request.ts }) });
        await postToSlackEndpoint(`${flightdeckUrl}/slack/events`, SIGNING_SECRET, body);
      } else if (line.startsWith('/')) {
        const [command, ...rest] = line.split(' ');
        const body = slashCommandBody({ command: command!, text: rest.join(' '), userId: user, channelId: channel, responseUrl: world.slack.responseUrl() });
        const res = await postToSlackEndpoint(`${flightdeckUrl}/slack/events`, SIGNING_SECRET, body);
        if (res.body) process.stdout.write(`  (ack) ${ackText(res.body)}\n`);
      } else {
        process.stdout.write('Not understood; type help.\n');
      }
      await new Promise((r) => setTimeout(r, 300));
      showAnswers();
      rl.setPrompt(`${user}> `);
      rl.prompt();
    }
    // What the last command set going (a sync, a reply) still shows before the console closes.
    await new Promise((r) => setTimeout(r, 1_000));
    showAnswers();
  } finally {
    clearInterval(timer);
    rl.close();
  }
}

/** The newest request message of the channel, or the one with this id: its id and ts. */
function requestMessage(world: World, channel: string, id?: string): { id: string; ts: string } | undefined {
  const found = world.slack
    .messages(channel)
    .filter((m) => !m.thread_ts && m.blocks)
    .map((m) => ({ id: /\bfd-[0-9a-f]{10}\b/.exec(JSON.stringify(m.blocks))?.[0] ?? '', ts: m.ts }))
    .filter((r) => r.id && (id === undefined || r.id === id));
  return found.at(-1);
}

/** The buttons of a message, with the console verb that presses each. */
function buttonsIn(blocks: unknown): Array<{ label: string; verb: string; value: string }> {
  if (!Array.isArray(blocks)) return [];
  return blocks
    .filter((b) => b?.type === 'actions')
    .flatMap((b) => b.elements ?? [])
    .map((e: { text?: { text?: string }; action_id?: string; value?: string }) => ({ label: e.text?.text ?? '', verb: String(e.action_id ?? '').replace(/^deploy_/, ''), value: e.value ?? '' }));
}

function ackText(body: string): string {
  try {
    return String((JSON.parse(body) as { text?: string }).text ?? body);
  } catch {
    return body;
  }
}
