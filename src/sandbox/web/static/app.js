// The sandbox page: draws the workspace from /sandbox/api/state, refreshes on server-sent events, and sends what the
// person does (slash commands, button clicks, modal submissions) to the sandbox server, which signs them for Flightdeck.
import { escapeHtml, mrkdwn, plain } from './mrkdwn.js';
import { renderMessage } from './blocks.js';

const $ = (id) => document.getElementById(id);
let state = { channels: [], people: [], messages: [], modals: [], groups: {}, botUser: '' };
let channel = localStorage.getItem('fd-channel') || '';
let user = localStorage.getItem('fd-user') || '';
let thread = null;

const names = {
  person: (id) => state.people.find((p) => p.id === id)?.name ?? (id === state.botUser ? 'Flightdeck' : id),
  group: (id) => state.groups[id] ?? id,
  channel: (id) => state.channels.find((c) => c.id === id)?.name ?? id,
};

async function post(path, body) {
  const res = await fetch(`/sandbox/api/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return res.json();
}

async function refresh() {
  state = await (await fetch('/sandbox/api/state')).json();
  if (!state.channels.some((c) => c.id === channel)) channel = state.channels[0]?.id ?? '';
  if (!state.people.some((p) => p.id === user)) user = state.people[0]?.id ?? '';
  render();
}

const visible = (m) => !m.visibleTo || m.visibleTo === user;
const time = (ts) => new Date(Number(ts) * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const initials = (name) => name.split(/\s+/).map((w) => w[0]).join('').slice(0, 2).toUpperCase();

/** Slack draws a message right after another by the same author (within five minutes) without avatar and name. */
function continues(m, previous) {
  return Boolean(previous) && previous.from === m.from && previous.from !== 'system' && previous.visibleTo === m.visibleTo && Number(m.ts) - Number(previous.ts) < 300;
}

function messageHtml(m, replies, previous) {
  if (m.from === 'system') return `<div class="system" data-ts="${m.ts}">${escapeHtml(m.text.replace(/^(\S+)/, (id) => names.person(id)))}</div>`;
  const bot = m.from === state.botUser;
  const name = bot ? 'Flightdeck' : names.person(m.from);
  const avatar = bot ? '<div class="avatar bot">✈</div>' : `<div class="avatar">${escapeHtml(initials(name))}</div>`;
  const privately = m.visibleTo ? '<div class="only-you">👁 Only visible to you</div>' : '';
  const edited = m.edited ? '<span class="edited">(edited)</span>' : '';
  const body = renderMessage(m, names, {});
  const replyLink = replies && replies.length ? `<button type="button" class="replies" data-thread="${m.ts}">${replies.length} ${replies.length === 1 ? 'reply' : 'replies'} <span>Last reply ${time(replies.at(-1).ts)}</span></button>` : '';
  const compact = continues(m, previous) && !m.visibleTo;
  // A continued message shows its time (and whether it was edited) in the gutter on hover, as Slack does.
  const head = compact ? `<div class="gutter-time">${time(m.ts).replace(/:\d\d( |$)/, '$1')}${m.edited ? '<br>edited' : ''}</div>` : avatar;
  const meta = compact ? '' : `<div class="meta"><b>${escapeHtml(name)}</b>${bot ? '<span class="app-badge">APP</span>' : ''}<span class="time">${time(m.ts)}</span>${edited}</div>`;
  return `<div class="message${m.visibleTo ? ' ephemeral' : ''}${compact ? ' continued' : ''}" data-ts="${m.ts}" data-channel="${m.channel}"${m.visibleTo ? ` data-note-id="${m.id}"` : ''}>
    ${head}<div class="content">${privately}${meta}
    <div class="body">${body}</div>${replyLink}</div></div>`;
}

function render() {
  $('workspace').textContent = state.workspace;
  $('person').innerHTML = state.people.map((p) => `<option value="${p.id}"${p.id === user ? ' selected' : ''}>${escapeHtml(p.name)}${p.roles.length ? ` — ${escapeHtml(p.roles.join(', '))}` : ''}</option>`).join('');
  $('channels').innerHTML = state.channels.map((c) => `<li><a href="#" data-channel="${c.id}" class="${c.id === channel ? 'active' : ''}"># ${escapeHtml(c.name)}</a></li>`).join('');
  $('people').innerHTML = state.people.map((p) => `<li class="${p.id === user ? 'me' : ''}"><span class="dot"></span>${escapeHtml(p.name)}${p.id === user ? ' <em>(you)</em>' : ''}</li>`).join('');
  const current = state.channels.find((c) => c.id === channel);
  $('channel-name').textContent = `# ${current?.name ?? ''}`;
  $('channel-topic').innerHTML = current?.topic ? mrkdwn(current.topic, names) : '';
  const here = state.messages.filter((m) => m.channel === channel && visible(m));
  const top = here.filter((m) => !m.thread_ts || m.thread_ts === m.ts);
  const list = $('messages');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.innerHTML = top.length ? top.map((m, i) => messageHtml(m, here.filter((r) => r.thread_ts === m.ts && r.ts !== m.ts), top[i - 1])).join('') : '<div class="empty">No messages yet. Try <code>/deploy staging v3.0.0</code>.</div>';
  if (atBottom) list.scrollTop = list.scrollHeight;
  renderThread();
  renderModal();
}

function renderThread() {
  const pane = $('thread');
  const parent = thread && state.messages.find((m) => m.channel === thread.channel && m.ts === thread.ts);
  pane.classList.toggle('hidden', !parent);
  if (!parent) return;
  $('thread-channel').textContent = `# ${names.channel(parent.channel)}`;
  const replies = state.messages.filter((m) => m.channel === parent.channel && m.thread_ts === parent.ts && m.ts !== parent.ts && visible(m));
  const list = $('thread-messages');
  list.innerHTML = messageHtml(parent) + `<div class="reply-count">${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}</div>` + replies.map((m, i) => messageHtml(m, null, replies[i - 1])).join('');
  list.scrollTop = list.scrollHeight;
}

function renderModal() {
  const modal = state.modals.filter((m) => m.user === user).at(-1);
  $('modal-backdrop').classList.toggle('hidden', !modal);
  if (!modal) return;
  const form = $('modal');
  if (form.dataset.id === modal.id && form.dataset.view === JSON.stringify(modal.view) + JSON.stringify(modal.errors ?? {})) return; // keep what is typed
  form.dataset.id = modal.id;
  form.dataset.view = JSON.stringify(modal.view) + JSON.stringify(modal.errors ?? {});
  const v = modal.view;
  form.innerHTML = `<div class="modal-title">${plain(v.title)}<button type="button" class="close" data-modal-close aria-label="Close">×</button></div>
    <div class="modal-body">${renderMessage({ blocks: v.blocks ?? [], text: '' }, names, { people: state.people, errors: modal.errors })}</div>
    <div class="modal-footer"><button type="button" class="bk-button" data-modal-close>${plain(v.close ?? { text: 'Cancel' })}</button>${v.submit ? `<button type="submit" class="bk-button primary">${plain(v.submit)}</button>` : ''}</div>`;
}

function modalValues(form) {
  const values = {};
  for (const el of form.querySelectorAll('[name]')) {
    const [block, action] = el.name.split('/');
    const type = el.dataset.type;
    let value;
    if (type === 'plain_text_input') value = { type, value: el.value || null };
    else if (type === 'users_select') value = { type, selected_user: el.value || null };
    else if (type === 'multi_users_select') value = { type, selected_users: [...el.selectedOptions].map((o) => o.value) };
    else value = { type, selected_option: el.value ? { text: { type: 'plain_text', text: el.selectedOptions[0].textContent }, value: el.value } : null };
    values[block] = { ...(values[block] ?? {}), [action]: value };
  }
  return values;
}

async function click(button) {
  if (button.dataset.url) window.open(button.dataset.url, '_blank', 'noopener');
  if (!button.dataset.actionId) return;
  if (button.dataset.confirm) {
    const c = JSON.parse(button.dataset.confirm);
    if (!window.confirm(`${c.title?.text ?? ''}\n\n${c.text?.text ?? ''}`)) return;
  }
  const message = button.closest('.message');
  button.disabled = true;
  await post('click', {
    user, channel: message.dataset.channel, messageTs: message.dataset.ts, noteId: message.dataset.noteId,
    actionId: button.dataset.actionId, blockId: button.dataset.blockId, value: button.dataset.value, text: button.textContent,
  });
  setTimeout(() => (button.disabled = false), 1500);
}

document.addEventListener('click', (event) => {
  const target = event.target.closest('button, a[data-channel]');
  if (!target) return;
  if (target.matches('a[data-channel]')) {
    event.preventDefault();
    channel = target.dataset.channel;
    localStorage.setItem('fd-channel', channel);
    thread = null;
    render();
  } else if (target.matches('.replies')) {
    thread = { channel, ts: target.dataset.thread };
    renderThread();
  } else if (target.id === 'thread-close') {
    thread = null;
    renderThread();
  } else if (target.matches('[data-modal-close]')) {
    post('close', { modalId: $('modal').dataset.id });
  } else if (target.matches('.bk-button') && target.closest('.message')) {
    click(target);
  }
});

$('person').addEventListener('change', (event) => {
  user = event.target.value;
  localStorage.setItem('fd-user', user);
  render();
});

$('composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('composer-input');
  const text = input.value.trim();
  if (!text) return;
  if (!text.startsWith('/')) {
    $('composer-hint').textContent = 'Flightdeck listens to slash commands only: start with /deploy, /rollback, /canary-status or /incident.';
    return;
  }
  input.value = '';
  const answer = await post('command', { user, channel, text });
  if (answer.status !== 200) $('composer-hint').textContent = `Flightdeck answered HTTP ${answer.status}: Slack would say "dispatch_failed".`;
});

$('modal').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  await post('submit', { modalId: form.dataset.id, values: modalValues(form) });
});

const events = new EventSource('/sandbox/api/events');
events.addEventListener('change', () => refresh().catch(() => undefined));
refresh();
