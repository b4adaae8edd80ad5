// The document types, generated from schemas/ (see harness/build/gen-types.mjs).
export type { ExperimentConfig, Behaviour, Limits } from './experiment.generated.js';
export type { Preregistration } from './preregistration.generated.js';
export type { TaskSpec, Check, Script, Step, ToolCall } from './task.generated.js';
export type { FreezeRecord } from './freeze-record.generated.js';
export type { Schedule } from './schedule.generated.js';
export type { Manifest } from './manifest.generated.js';
export type { RegistryEntry } from './registry-entry.generated.js';
export type { TraceEvent } from './trace-event.generated.js';
export type { Scorecard } from './scorecard.generated.js';
export type { RunLock } from './lock.generated.js';

export type ScheduleSlot = import('./schedule.generated.js').Schedule['slots'][number];
export type RegistryEntryType = import('./registry-entry.generated.js').RegistryEntry['type'];
/** A fault the simulator can inject (experiment.yaml simulator.faults.kinds). */
export type FaultKind = NonNullable<NonNullable<NonNullable<import('./experiment.generated.js').ExperimentConfig['simulator']>['faults']>['kinds']>[number];
export type { AnalysisReport } from './report.generated.js';
export type { AuditReport } from './audit.generated.js';
