import { describe, expect, it } from 'vitest';
import { expectLongRun, startCold, startedCold } from '../src/tiering.js';

describe('tiering of a fresh CLI process (issue 17)', () => {
  it('starts a short command without TurboFan, a long one with it, and turns it back on for long work', () => {
    try {
      startCold(['kernel', '--tree', '.']);
      expect(startedCold()).toBe(false);
      startCold(['__worker']);
      expect(startedCold()).toBe(false);
      startCold(['compile', '-O', 'dtb', 'board.dts']);
      expect(startedCold()).toBe(true);
      expectLongRun();
      expect(startedCold()).toBe(false);
    } finally {
      expectLongRun(); // V8's flags are per process: leave this test worker as it was
    }
  });

  it('keeps V8’s default tiering when DTOVERLAY_CHECK_TIERING=default', () => {
    const saved = process.env.DTOVERLAY_CHECK_TIERING;
    process.env.DTOVERLAY_CHECK_TIERING = 'default';
    try {
      startCold(['check', 'a.dts']);
      expect(startedCold()).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.DTOVERLAY_CHECK_TIERING;
      else process.env.DTOVERLAY_CHECK_TIERING = saved;
      expectLongRun();
    }
  });
});
