import type { PipelineOptions } from '../../commands/pipeline.ts';
import { governance } from './governance-fixtures.ts';
import { governedPipelineOn, tempStore } from './pipeline.ts';

/** A fresh event store behind a governed pipeline, with `g` to drive it in the words of the domain. */
export function governedStore(options: Partial<Pick<PipelineOptions, 'maxAttempts' | 'clock'>> = {}) {
  const store = tempStore();
  const { pipeline, loader, registry } = governedPipelineOn(store, options);
  return { store, pipeline, loader, registry, g: governance(pipeline) };
}
