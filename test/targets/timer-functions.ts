/** Every timer function a library can reach, for tests that check they are Node's own again. */
import timers, { setTimeout as esmSetTimeout } from 'node:timers';
import timersPromises from 'node:timers/promises';

/** Every timer function a library can reach, as they are now. */
export function timerFunctions(): unknown[] {
  return [
    globalThis.setTimeout, globalThis.setInterval, globalThis.setImmediate, globalThis.clearTimeout, globalThis.clearInterval, globalThis.clearImmediate,
    timers.setTimeout, timers.setInterval, timers.setImmediate, timers.clearTimeout, timers.clearInterval, timers.clearImmediate, esmSetTimeout,
    timersPromises.setTimeout, timersPromises.setImmediate, timersPromises.setInterval, timersPromises.scheduler.wait, timersPromises.scheduler.yield,
  ];
}
