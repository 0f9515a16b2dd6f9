// The baseline for the ack benchmark: a bare Bolt app that only acknowledges /deploy.
import { App, HTTPReceiver } from '@slack/bolt';

const port = Number(process.env.PORT ?? 0);
const receiver = new HTTPReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET ?? '', endpoints: '/slack/events' });
const app = new App({ token: process.env.SLACK_BOT_TOKEN ?? '', receiver, clientOptions: { slackApiUrl: process.env.SLACK_API_URL ?? '' } });
app.command('/deploy', async ({ ack }) => {
  await ack({ response_type: 'ephemeral', text: 'ok' });
});
await app.start(port);
process.stdout.write('ready\n');
process.on('SIGTERM', () => void app.stop().then(() => process.exit(0)));
