/** The simulated PAS bring-up and SMMU stream-match model (PAS.md); see simulate.ts for the stages. */
export { simulate, type Simulation, type SimulationResult, type SimulateOptions, type SmmuResult, type EntryResult } from './simulate.js';
export { loadProfile, loadProfileFile, profileForCompatibles, shippedProfiles, withSmmuOverrides, type SocProfile, type SmmuParameters } from './profile.js';
export { PAS_RULES, RULES_BY_ID, type PasRule } from './rules.js';
export { loadResourceTables } from './resource-table.js';
export type { ProbeOrder } from './allocate.js';
export type { RemoteprocResult, BringupStep } from './bringup.js';
