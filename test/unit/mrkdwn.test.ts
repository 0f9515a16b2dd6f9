// Unit tests of mrkdwn escaping and the control sequences Flightdeck emits.
import { describe, expect, it } from 'vitest';
import { code, escapeMrkdwn, group, link, truncate, user } from '../../src/adapters/slack/mrkdwn.js';

describe('escapeMrkdwn', () => {
  it('escapes exactly &, < and >', () => {
    expect(escapeMrkdwn('a & b < c > d')).toBe('a &amp; b &lt; c &gt; d');
    expect(escapeMrkdwn('*bold* _it_ ~s~ `c` "q" \'a\' | @here')).toBe('*bold* _it_ ~s~ `c` "q" \'a\' | @here');
  });

  it('renders control sequences inert', () => {
    expect(escapeMrkdwn('<!channel> <@U123> <https://evil|ok>')).toBe('&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil|ok&gt;');
  });

  it('escapes an already escaped text again (no double-decoding)', () => {
    expect(escapeMrkdwn('&lt;')).toBe('&amp;lt;');
  });
});

describe('mentions', () => {
  it('mentions real user ids and shows anything else as text', () => {
    expect(user('U0LEAD')).toBe('<@U0LEAD>');
    expect(user('W123ABC')).toBe('<@W123ABC>');
    expect(user('<!channel>')).toBe('&lt;!channel&gt;');
    expect(user('u0lead')).toBe('u0lead');
  });

  it('mentions real group ids only', () => {
    expect(group('S0EXEC')).toBe('<!subteam^S0EXEC>');
    expect(group('S0EXEC><!channel')).toBe('S0EXEC&gt;&lt;!channel');
  });
});

describe('link', () => {
  it('links http(s) URLs with an escaped label', () => {
    expect(link('https://github.com/acme/backend/compare/v1...v2', 'a <b> & c')).toBe('<https://github.com/acme/backend/compare/v1...v2|a &lt;b&gt; &amp; c>');
  });

  it('keeps | and > in the label or URL from ending the link', () => {
    const out = link('https://x.example/a?b=1&c=|>', 'x|y>z');
    expect(out).toBe('<https://x.example/a?b=1&amp;c=%7C%3E|x\u2223y&gt;z>');
    expect(out.match(/\|/g)).toHaveLength(1);
  });

  it('drops non-http URLs and shows only the label', () => {
    expect(link('javascript:alert(1)', 'click')).toBe('click');
    expect(link('not a url', '<!here>')).toBe('&lt;!here&gt;');
  });
});

describe('code', () => {
  it('wraps escaped text in backticks without early ends', () => {
    expect(code('v3.0.0')).toBe('`v3.0.0`');
    expect(code('a`b<c>')).toBe('`a\u02cbb&lt;c&gt;`');
    expect(code('two\nlines')).toBe('`two lines`');
  });
});

describe('truncate', () => {
  it('leaves short text alone and cuts long text to max with an ellipsis', () => {
    expect(truncate('short', 10)).toBe('short');
    const cut = truncate('x'.repeat(100), 10);
    expect(cut).toHaveLength(10);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('never splits an entity or a surrogate pair', () => {
    expect(truncate('abc&amp;def', 6)).toBe('abc…');
    expect(truncate('abc&lt;def', 8)).toBe('abc&lt;…');
    const emoji = truncate('ab😀cd', 4);
    expect(emoji).toBe('ab…');
  });
});
