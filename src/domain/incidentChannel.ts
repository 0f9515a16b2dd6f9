// Names incident channels by Slack's rules: lowercase letters, digits, "-" and "_", at most 80 characters, unique.

export const MAX_CHANNEL_NAME = 80;

/** The title folded to a channel-name slug: accents dropped, other characters (emoji, punctuation, spaces) become "-". */
export function channelSlug(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/ß/g, 'ss')
    .replace(/[æÆ]/g, 'ae')
    .replace(/[øØ]/g, 'o')
    .replace(/[łŁ]/g, 'l')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
}

/**
 * The channel name for an incident: `inc-42-checkout-is-failing`; `attempt` 2, 3, ... adds `-2`, `-3` for a name that
 * is taken. Cut at a word boundary where one is near, never ending in "-" or "_".
 */
export function incidentChannelName(number: number, title: string, attempt = 1): string {
  const prefix = `inc-${number}`;
  const suffix = attempt > 1 ? `-${attempt}` : '';
  const slug = channelSlug(title);
  let base = slug ? `${prefix}-${slug}` : prefix;
  const room = MAX_CHANNEL_NAME - suffix.length;
  if (base.length > room) {
    const cut = base.slice(0, room);
    const boundary = cut.lastIndexOf('-');
    base = boundary > prefix.length && room - boundary < 16 ? cut.slice(0, boundary) : cut;
    base = base.replace(/[-_]+$/, '');
  }
  return `${base}${suffix}`;
}
