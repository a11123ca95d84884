import { describe, expect, it } from 'vitest';
import { actionPath, actionsFor, allowed, roleAllows } from './actions';
import { LiveStore } from './store';
import { auditActionNames } from '../admin/auditQuery';
import type { ActionSpec, NodeInfo } from './types';

const spec = (name: string, target: ActionSpec['target'], path: string, role = 'moderator', params: ActionSpec['params'] = []): ActionSpec => ({
  name,
  target,
  method: 'POST',
  path,
  params,
  role,
});

const member = '/api/v1/nodes/{node}/conferences/{conf}/members/{member}';
const catalogue = [
  spec('mute', 'member', `${member}/mute`),
  spec('play-member', 'member', `${member}/play`, 'moderator', [{ name: 'media', kind: 'media' }]),
  spec('lock', 'conference', '/api/v1/nodes/{node}/conferences/{conf}/lock'),
  spec('hangup', 'call', '/api/v1/nodes/{node}/calls/{call}/hangup', 'admin'),
];

function storeWith(cat: ActionSpec[]) {
  const s = new LiveStore();
  s.applySnapshot({ type: 'snapshot', seq: 1, catalogue: cat });
  return s;
}

const up: NodeInfo = { node: 'fs1', kind: 'freeswitch', state: 'up', actions: ['mute', 'play-member', 'hangup'] };

describe('action catalogue', () => {
  it('arrives with the snapshot and is forgotten on sign-out', () => {
    const s = storeWith(catalogue);
    expect([...s.catalogue.keys()]).toEqual(['mute', 'play-member', 'lock', 'hangup']);
    s.clear();
    expect(s.catalogue.size).toBe(0);
  });

  it('fills the route from the target, escaped', () => {
    expect(actionPath(catalogue[0], { node: 'fs1', conf: '3000@default', member: '7' })).toBe(
      '/api/v1/nodes/fs1/conferences/3000%40default/members/7/mute',
    );
    expect(actionPath(catalogue[3], { node: 'fs1', call: 'a/b' })).toBe('/api/v1/nodes/fs1/calls/a%2Fb/hangup');
    expect(() => actionPath(catalogue[3], { node: 'fs1' })).toThrow(/call/);
  });

  it('allows an action by the catalogue role, the node support and the node state', () => {
    const c = storeWith(catalogue).catalogue;
    expect(allowed(c, 'moderator', up, 'mute')).toBe(true);
    expect(allowed(c, 'viewer', up, 'mute')).toBe(false);
    expect(allowed(c, undefined, up, 'mute')).toBe(false);
    expect(allowed(c, 'moderator', up, 'hangup')).toBe(false); // needs admin here
    expect(allowed(c, 'admin', up, 'hangup')).toBe(true);
    expect(allowed(c, 'admin', up, 'lock')).toBe(false); // node does not support it
    expect(allowed(c, 'admin', { ...up, state: 'down' }, 'mute')).toBe(false);
    expect(allowed(c, 'admin', { ...up, actions: [...(up.actions ?? []), 'explode'] }, 'explode')).toBe(false); // not catalogued
    expect(roleAllows('admin', 'nonsense')).toBe(false);
  });

  it('lists actions per target in catalogue order', () => {
    const c = storeWith(catalogue).catalogue;
    expect(actionsFor(c, 'member').map((a) => a.name)).toEqual(['mute', 'play-member']);
    expect(actionsFor(c, 'node')).toEqual([]);
  });

  it('the audit filter offers exactly the catalogue names', () => {
    expect(auditActionNames(storeWith(catalogue).catalogue)).toEqual(['mute', 'play-member', 'lock', 'hangup']);
  });
});
