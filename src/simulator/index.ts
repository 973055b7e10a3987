// Public surface of the simulator.
export type { RunningSimulator, SimulatorFaults, SimulatorLogEntry, SimulatorOptions } from './types';
export { startSimulator } from './server';
export { defaultSimulatorOptions, parseFaults, resolveOptions, isLoopbackHost } from './defaults';
export { WORDS as SIMULATOR_WORDS } from './text';
