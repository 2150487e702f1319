import { describe, expect, it } from 'vitest';
import { formatGithub } from '../../src/report/github.js';
import { sampleReport } from './sample.js';

describe('GitHub workflow-command report', () => {
  it('prints one ::error/::warning/::notice per finding with escaped properties and data', () => {
    const lines = formatGithub(sampleReport()).split('\n');
    expect(lines[0]).toBe(
      '::error file=fixtures/check/bad-iommus-arity.dtso,line=6,col=2,endLine=6,endColumn=30,title=overlay/phandle-args::/soc@0/remoteproc@30000000:iommus: iommus: 2 cells, but apps_smmu has #iommu-cells = <2>',
    );
    expect(lines[1]).toMatch(/^::warning file=fixtures\/example\/lemans-mini.dts,line=9,col=1,title=dtc\/unit_address_vs_reg::/);
    expect(lines[2]).toBe('::notice title=pas/context-bank-budget::a note, with "quotes", <tags> & commas: 100%25');
  });
});
