import type { Projection } from '../projection.js';
import { activityProjection } from './activity.js';
import { moneyProjection } from './money.js';
import { projectsProjection } from './projects.js';

/** Every projection the projector keeps, in the order they are applied within a batch. */
export const allProjections: readonly Projection[] = [projectsProjection, moneyProjection, activityProjection];

export function projectionNamed(name: string): Projection | undefined {
  return allProjections.find((p) => p.name === name);
}
