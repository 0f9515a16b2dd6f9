// Block Kit -> HTML for the sandbox page: header, section (text, fields, accessory), context, divider, actions,
// image, rich_text and, in modals, input blocks. Unknown blocks are shown as a marked placeholder, not dropped.
import { escapeHtml, mrkdwn, plain, textObject } from './mrkdwn.js';

/** A button or other interactive element; data-* attributes carry what a click sends. */
function element(el, blockId, names) {
  const data = `data-block-id="${escapeHtml(blockId ?? '')}" data-action-id="${escapeHtml(el.action_id ?? '')}"`;
  if (el.type === 'button') {
    const style = el.style === 'primary' ? ' primary' : el.style === 'danger' ? ' danger' : '';
    const confirm = el.confirm ? ` data-confirm="${escapeHtml(JSON.stringify(el.confirm))}"` : '';
    const url = el.url && /^https?:/i.test(el.url) ? ` data-url="${escapeHtml(el.url)}"` : '';
    return `<button class="bk-button${style}" ${data} data-value="${escapeHtml(el.value ?? '')}"${confirm}${url}>${plain(el.text)}</button>`;
  }
  if (el.type === 'static_select' || el.type === 'overflow') {
    const options = (el.options ?? []).map((o) => `<option value="${escapeHtml(o.value)}">${plain(o.text)}</option>`).join('');
    return `<select class="bk-select" ${data}><option value="">${plain(el.placeholder ?? { text: 'Choose…' })}</option>${options}</select>`;
  }
  if (el.type === 'image') return `<img class="bk-image-el" src="${escapeHtml(el.image_url)}" alt="${escapeHtml(el.alt_text ?? '')}">`;
  return `<span class="bk-unknown">[${escapeHtml(el.type)}]</span>`;
}

function richText(block, names) {
  const inline = (e) => {
    if (e.type === 'text') {
      let html = escapeHtml(e.text).replace(/\n/g, '<br>');
      if (e.style?.code) html = `<code>${html}</code>`;
      if (e.style?.bold) html = `<b>${html}</b>`;
      if (e.style?.italic) html = `<i>${html}</i>`;
      if (e.style?.strike) html = `<s>${html}</s>`;
      return html;
    }
    if (e.type === 'link') return mrkdwn(`<${e.url}|${e.text ?? e.url}>`, names);
    if (e.type === 'user') return mrkdwn(`<@${e.user_id}>`, names);
    if (e.type === 'usergroup') return mrkdwn(`<!subteam^${e.usergroup_id}>`, names);
    if (e.type === 'channel') return mrkdwn(`<#${e.channel_id}>`, names);
    if (e.type === 'emoji') return mrkdwn(`:${e.name}:`, names);
    return '';
  };
  const part = (p) => {
    const inner = (p.elements ?? []).map((e) => (e.elements ? part(e) : inline(e))).join('');
    if (p.type === 'rich_text_preformatted') return `<pre>${inner}</pre>`;
    if (p.type === 'rich_text_quote') return `<blockquote>${inner}</blockquote>`;
    if (p.type === 'rich_text_list') return `<${p.style === 'ordered' ? 'ol' : 'ul'}>${(p.elements ?? []).map((e) => `<li>${part(e)}</li>`).join('')}</${p.style === 'ordered' ? 'ol' : 'ul'}>`;
    return inner;
  };
  return `<div class="bk-rich">${(block.elements ?? []).map(part).join('')}</div>`;
}

/** An input block of a modal; the control's name is block_id/action_id, as state.values is keyed. */
function input(block, names, people, error) {
  const el = block.element ?? {};
  const name = `${escapeHtml(block.block_id ?? '')}/${escapeHtml(el.action_id ?? '')}`;
  let control;
  if (el.type === 'plain_text_input') {
    const initial = escapeHtml(el.initial_value ?? '');
    const placeholder = el.placeholder ? ` placeholder="${escapeHtml(el.placeholder.text)}"` : '';
    control = el.multiline ? `<textarea name="${name}" data-type="${el.type}"${placeholder}>${initial}</textarea>` : `<input name="${name}" data-type="${el.type}" value="${initial}"${placeholder}>`;
  } else if (el.type === 'static_select' || el.type === 'radio_buttons') {
    const options = (el.options ?? []).map((o) => `<option value="${escapeHtml(o.value)}"${el.initial_option?.value === o.value ? ' selected' : ''}>${plain(o.text)}</option>`).join('');
    control = `<select name="${name}" data-type="${el.type}"><option value=""></option>${options}</select>`;
  } else if (el.type === 'users_select' || el.type === 'multi_users_select') {
    const options = people.map((p) => `<option value="${escapeHtml(p.id)}">${escapeHtml(p.name)}</option>`).join('');
    control = `<select name="${name}" data-type="${el.type}"${el.type.startsWith('multi') ? ' multiple' : ''}>${options}</select>`;
  } else {
    control = `<span class="bk-unknown">[${escapeHtml(el.type)}]</span>`;
  }
  const hint = block.hint ? `<div class="bk-hint">${plain(block.hint)}</div>` : '';
  const err = error ? `<div class="bk-error">${escapeHtml(error)}</div>` : '';
  return `<label class="bk-input"><span class="bk-label">${plain(block.label)}${block.optional ? ' <em>(optional)</em>' : ''}</span>${control}${hint}${err}</label>`;
}

function block(b, names, ctx) {
  switch (b.type) {
    case 'header':
      return `<div class="bk-header">${plain(b.text)}</div>`;
    case 'section': {
      const text = b.text ? `<div class="bk-text">${textObject(b.text, names)}</div>` : '';
      const fields = b.fields ? `<div class="bk-fields">${b.fields.map((f) => `<div>${textObject(f, names)}</div>`).join('')}</div>` : '';
      const accessory = b.accessory ? `<div class="bk-accessory">${element(b.accessory, b.block_id, names)}</div>` : '';
      return `<div class="bk-section"><div class="bk-main">${text}${fields}</div>${accessory}</div>`;
    }
    case 'context':
      return `<div class="bk-context">${(b.elements ?? []).map((e) => (e.type === 'image' ? element(e, b.block_id, names) : `<span>${textObject(e, names)}</span>`)).join('')}</div>`;
    case 'divider':
      return '<hr class="bk-divider">';
    case 'actions':
      return `<div class="bk-actions">${(b.elements ?? []).map((e) => element(e, b.block_id, names)).join('')}</div>`;
    case 'image':
      return `<figure class="bk-image"><img src="${escapeHtml(b.image_url)}" alt="${escapeHtml(b.alt_text ?? '')}"></figure>`;
    case 'rich_text':
      return richText(b, names);
    case 'input':
      return input(b, names, ctx.people ?? [], ctx.errors?.[b.block_id]);
    default:
      return `<div class="bk-unknown">[${escapeHtml(b.type)} block]</div>`;
  }
}

/** A message's blocks, or its text when it has none (as Slack shows a message without blocks). */
export function renderMessage(message, names, ctx = {}) {
  if (Array.isArray(message.blocks) && message.blocks.length > 0) return message.blocks.map((b) => block(b, names, ctx)).join('');
  return `<div class="bk-text">${mrkdwn(message.text, names)}</div>`;
}
