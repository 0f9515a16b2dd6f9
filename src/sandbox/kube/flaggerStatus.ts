// How the Flagger simulator words status: timestamps and the one `Promoted` condition, as fluxcd/flagger pkg/canary/status.go writes them.

export function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/** The Promoted condition's status and message for a phase, as MakeStatusConditions words them. */
export function promoted(phase: string, kind: string): { status: 'True' | 'False' | 'Unknown'; message: string } {
  switch (phase) {
    case 'Initializing':
      return { status: 'Unknown', message: `New ${kind} detected, starting initialization.` };
    case 'Initialized':
      return { status: 'True', message: `${kind} initialization completed.` };
    case 'Waiting':
    case 'WaitingPromotion':
      return { status: 'Unknown', message: 'Waiting for approval.' };
    case 'Progressing':
      return { status: 'Unknown', message: 'New revision detected, progressing canary analysis.' };
    case 'Promoting':
      return { status: 'Unknown', message: 'Canary analysis completed, starting primary rolling update.' };
    case 'Finalising':
      return { status: 'Unknown', message: 'Canary analysis completed, routing all traffic to primary.' };
    case 'Succeeded':
      return { status: 'True', message: 'Canary analysis completed successfully, promotion finished.' };
    case 'Failed':
      return { status: 'False', message: `Canary analysis failed, ${kind} scaled to zero.` };
    default:
      return { status: 'Unknown', message: `New ${kind} detected, starting initialization.` };
  }
}

/** Flagger keeps the conditions as they are when neither status nor reason changed (so lastUpdateTime stays too). */
export function conditionsFor(previous: any[] | undefined, phase: string, kind: string): any[] {
  const current = previous?.find((c) => c.type === 'Promoted');
  const { status, message } = promoted(phase, kind);
  if (current && current.status === status && current.reason === phase) return previous!;
  const at = now();
  const lastTransitionTime = current && current.status === status ? current.lastTransitionTime : at;
  return [{ type: 'Promoted', status, reason: phase, message, lastUpdateTime: at, lastTransitionTime }];
}
