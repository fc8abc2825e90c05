/** The lines `repro` and `replay` print about an engine plan, above its result. */
import type { Plan } from '../sim/index.ts';
import { planSize } from '../sim/index.ts';

/** Scenario, size, engine settings and fault profile of a plan. */
export function describeEnginePlan(plan: Plan): string[] {
  const size = planSize(plan);
  const faults = plan.faults;
  const rates = Object.entries(faults.rates).filter(([, rate]) => (rate ?? 0) > 0).map(([kind, rate]) => `${kind} ${rate}`);
  return [
    `scenario ${plan.scenario}, seed ${plan.seed}${plan.engineModule === undefined ? '' : `, engine ${plan.engineModule}`}`,
    `plan: ${size.steps} steps, ${size.ops} operations, ${size.faults} fault sources; liveness ${plan.livenessCommits} commits, step budget ${plan.stepsMax}`,
    `engine: ${Object.entries(plan.engine).map(([key, value]) => `${key}=${value}`).join(' ')}`,
    `faults: rates ${rates.length ? rates.join(', ') : 'none'}; ${faults.scheduled?.length ?? 0} scheduled; fsync failure mode ${faults.fsyncFailureMode}; sector ${faults.sectorBytes} B`
      + `${faults.sectorWrites === 'atomic' ? '; atomic sector writes' : ''}${faults.capacityBytes !== undefined ? `; capacity ${faults.capacityBytes} B` : ''}${faults.phases ? `; phases ${faults.phases.join(', ')}` : ''}`
      + `${faults.io ? `; I/O ${faults.io.join(', ')}` : ''}${plan.latency ? `; latency up to ${plan.latency.ioMsMax} ms` : ''}`,
  ];
}
