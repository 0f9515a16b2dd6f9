// overlayEditor: image tags read and set in kustomization.yaml, byte-exact everywhere else.
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/domain/errors.js';
import { readImageEntries, readImageTags, setImageTags } from '../../src/domain/overlay.js';
import { said } from '../support/refusals.js';

const OVERLAY = `# staging overlay: image tags are written by CI and Flightdeck
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: staging

resources:
  - ../../base   # shared manifests

images:
  # the API
  - name: ghcr.io/acme/backend
    newTag: v2.9.0   # bumped per release

  - name: ghcr.io/acme/frontend
    newName: ghcr.io/acme/frontend-staging
    newTag: "v2.9.0"
  - newTag: 'v1.0.0'
    name: ghcr.io/acme/worker
  - name: ghcr.io/acme/cron
    newName: ghcr.io/acme/cron-staging # no tag yet
  - {name: ghcr.io/acme/flow, newTag: v1}
`;

/** The text with one substring replaced exactly once (fails the test when it is not there once). */
function replacedOnce(text: string, from: string, to: string): string {
  expect(text.split(from)).toHaveLength(2);
  return text.replace(from, to);
}

describe('readImageTags', () => {
  it('maps every images[] name to its newTag, as text', () => {
    expect(readImageTags(OVERLAY)).toEqual({
      'ghcr.io/acme/backend': 'v2.9.0',
      'ghcr.io/acme/frontend': 'v2.9.0',
      'ghcr.io/acme/worker': 'v1.0.0',
      'ghcr.io/acme/cron': null,
      'ghcr.io/acme/flow': 'v1',
    });
    expect(readImageTags('images:\n  - name: a\n    newTag: 1.10\n')).toEqual({ a: '1.10' });
    expect(readImageTags('kind: Kustomization\n')).toEqual({});
  });

  it('reads newName and digest too', () => {
    expect(readImageEntries(OVERLAY)[1]).toEqual({ name: 'ghcr.io/acme/frontend', newName: 'ghcr.io/acme/frontend-staging', newTag: 'v2.9.0', digest: null });
  });
});

describe('setImageTags', () => {
  it('changes only the named images, keeping comments, blank lines and quoting byte for byte', () => {
    const { text, previous } = setImageTags(OVERLAY, [
      { image: 'ghcr.io/acme/backend', newTag: 'v3.0.0' },
      { image: 'ghcr.io/acme/frontend', newTag: 'v3.0.0' },
    ]);
    let expected = replacedOnce(OVERLAY, 'newTag: v2.9.0   # bumped', 'newTag: v3.0.0   # bumped');
    expected = replacedOnce(expected, 'newTag: "v2.9.0"', 'newTag: "v3.0.0"');
    expect(text).toBe(expected);
    expect(previous).toEqual({ 'ghcr.io/acme/backend': 'v2.9.0', 'ghcr.io/acme/frontend': 'v2.9.0' });
  });

  it('keeps single quotes, and works whatever the key order', () => {
    const { text } = setImageTags(OVERLAY, [{ image: 'ghcr.io/acme/worker', newTag: "v1.1.0" }]);
    expect(text).toBe(replacedOnce(OVERLAY, "newTag: 'v1.0.0'", "newTag: 'v1.1.0'"));
  });

  it('edits flow-style entries', () => {
    const { text } = setImageTags(OVERLAY, [{ image: 'ghcr.io/acme/flow', newTag: 'v2' }]);
    expect(text).toBe(replacedOnce(OVERLAY, 'newTag: v1}', 'newTag: v2}'));
  });

  it('adds newTag to an entry without one, after its last key and comment, keeping newName', () => {
    const { text, previous } = setImageTags(OVERLAY, [{ image: 'ghcr.io/acme/cron', newTag: 'sha-3f9c2a1' }]);
    expect(text).toBe(replacedOnce(OVERLAY, 'cron-staging # no tag yet\n', 'cron-staging # no tag yet\n    newTag: sha-3f9c2a1\n'));
    expect(previous).toEqual({ 'ghcr.io/acme/cron': null });
    expect(readImageTags(text)['ghcr.io/acme/cron']).toBe('sha-3f9c2a1');
  });

  it('adds newTag to a flow entry and fills an empty newTag', () => {
    expect(setImageTags('images: [{name: a}]\n', [{ image: 'a', newTag: 'v1' }]).text).toBe('images: [{name: a, newTag: v1}]\n');
    expect(setImageTags('images:\n  - name: a\n    newTag:\n', [{ image: 'a', newTag: 'v1' }]).text).toBe('images:\n  - name: a\n    newTag: v1\n');
  });

  it('quotes a plain tag that YAML would read as a number', () => {
    const { text } = setImageTags('images:\n- name: a\n  newTag: v1\n', [{ image: 'a', newTag: '1.10' }]);
    expect(text).toBe('images:\n- name: a\n  newTag: "1.10"\n');
    expect(readImageTags(text)).toEqual({ a: '1.10' });
  });

  it('keeps CRLF line ends', () => {
    const crlf = 'images:\r\n  - name: a\r\n    newName: b\r\n';
    expect(setImageTags(crlf, [{ image: 'a', newTag: 'v1' }]).text).toBe('images:\r\n  - name: a\r\n    newName: b\r\n    newTag: v1\r\n');
  });

  it('is a no-op when the tag is already there', () => {
    const { text, previous } = setImageTags(OVERLAY, [{ image: 'ghcr.io/acme/frontend', newTag: 'v2.9.0' }]);
    expect(text).toBe(OVERLAY);
    expect(previous).toEqual({ 'ghcr.io/acme/frontend': 'v2.9.0' });
  });

  it('refuses an image without an entry, naming the image and file', () => {
    const run = () => setImageTags(OVERLAY, [{ image: 'ghcr.io/acme/nope', newTag: 'v1' }], { file: 'k8s/overlays/staging/kustomization.yaml' });
    expect(run).toThrow(UserError);
    expect(said(run)).toContain('k8s/overlays/staging/kustomization.yaml has no images entry named `ghcr.io/acme/nope`');
  });

  it('refuses an entry pinned by digest, changing nothing', () => {
    const pinned = 'images:\n  - name: a\n    newTag: v1\n    digest: sha256:abc\n';
    expect(said(() => setImageTags(pinned, [{ image: 'a', newTag: 'v2' }]))).toMatch(/pins `a` by digest \(`sha256:abc`\)/);
  });
});

describe('invalid overlays', () => {
  it('refuses text that is not valid YAML, naming the file', () => {
    const broken = 'images:\n  - name: a\n    newTag: [v1\n';
    expect(said(() => readImageTags(broken, { file: 'k8s/overlays/dev/kustomization.yaml' }))).toMatch(/^k8s\/overlays\/dev\/kustomization\.yaml is not valid YAML/);
    expect(() => setImageTags(broken, [{ image: 'a', newTag: 'v2' }])).toThrow(UserError);
  });
});

describe('setImageTags on a newTag written as a YAML alias', () => {
  it('refuses instead of adding a second newTag key', () => {
    const aliased = 'x: &t v1\nimages:\n  - name: a\n    newTag: *t\n';
    expect(said(() => setImageTags(aliased, [{ image: 'a', newTag: 'v2' }]))).toMatch(/newTag of `\*t` is written as a YAML alias/);
  });
});
