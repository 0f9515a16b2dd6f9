// Who may request, approve and reject.
import { describe, expect, it } from 'vitest';
import { resolveEnvironment } from '../../src/domain/environments.js';
import { approvalProblem, canRequest, isInAudience, policyFor } from '../../src/domain/policy.js';
import { exampleConfig } from '../support/domain-fixtures.js';

const config = exampleConfig();
const members = new Map([['S0EXEC', ['U0ALICE', 'U0BOB']], ['S0DEVS', ['U0DEV']], ['S0ONCALL', ['U0PAGER']]]);
const request = { kind: 'deploy' as const, env: 'production', requester: 'U0ALICE', approvals: [] as string[], state: 'pending' as const };

describe('policy', () => {
  it('finds users directly or through groups', () => {
    expect(isInAudience('U1', { users: ['U1'], groups: [] }, members)).toBe(true);
    expect(isInAudience('U0BOB', { users: [], groups: ['S0EXEC'] }, members)).toBe(true);
    expect(isInAudience('U0BOB', { users: [], groups: ['S0EXEC'] }, (g) => (g === 'S0EXEC' ? [] : ['U0BOB']))).toBe(false);
    expect(isInAudience('U0BOB', { users: [], groups: ['S0NONE'] }, members)).toBe(false);
  });

  it('lets anyone request where no deployers are configured', () => {
    expect(canRequest(resolveEnvironment(config, 'staging'), 'U0ANYONE', members)).toBe(true);
    expect(canRequest(resolveEnvironment(config, 'dev'), 'U0ANYONE', members)).toBe(false);
    expect(canRequest(resolveEnvironment(config, 'dev'), 'U0DEV', members)).toBe(true);
  });

  it('lets an approver approve once, never their own request', () => {
    const prod = resolveEnvironment(config, 'production');
    expect(approvalProblem(request, prod.approval, 'U0BOB', members)).toBeNull();
    expect(approvalProblem(request, prod.approval, 'U0EVE', members)).toEqual({ code: 'not-approver', env: 'production', kind: 'deploy', action: 'approve' });
    expect(approvalProblem(request, prod.approval, 'U0ALICE', members)).toEqual({ code: 'own-request', kind: 'deploy' });
    expect(approvalProblem({ ...request, approvals: ['U0BOB'] }, prod.approval, 'U0BOB', members)).toEqual({ code: 'already-approved' });
    expect(approvalProblem({ ...request, state: 'succeeded' }, prod.approval, 'U0BOB', members)).toEqual({ code: 'request-decided', state: 'succeeded' });
  });

  it('lets approvers reject, but not others', () => {
    const prod = resolveEnvironment(config, 'production');
    expect(approvalProblem(request, prod.approval, 'U0BOB', members, { rejecting: true })).toBeNull();
    expect(approvalProblem(request, prod.approval, 'U0EVE', members, { rejecting: true })).toEqual({ code: 'not-approver', env: 'production', kind: 'deploy', action: 'reject' });
  });

  it('uses the rollback policy for rollbacks', () => {
    const prod = resolveEnvironment(config, 'production');
    expect(policyFor(prod, 'rollback').required).toBe(1);
    expect(approvalProblem({ ...request, kind: 'rollback' }, policyFor(prod, 'rollback'), 'U0PAGER', members)).toBeNull();
    expect(policyFor(prod, 'deploy').required).toBe(2);
    expect(policyFor(resolveEnvironment(config, 'dev'), 'rollback')).toBe(resolveEnvironment(config, 'dev').approval);
  });
});
