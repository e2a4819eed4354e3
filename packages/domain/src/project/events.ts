import type { EventsOf } from '../decider.js';
import { advancementEventSchemas } from './events-advancement.js';
import { promotionEventSchemas } from './events-promotion.js';
import { solicitationEventSchemas } from './events-solicitation.js';
import { evidenceEventSchemas } from '../evidence/evidence.js';
import { correctionEventSchemas } from './corrections.js';

export const projectEventSchemas = {
  ...solicitationEventSchemas,
  ...advancementEventSchemas,
  ...promotionEventSchemas,
  ...evidenceEventSchemas,
  ...correctionEventSchemas,
} as const;

export type SolicitationEvent = EventsOf<typeof solicitationEventSchemas>;
export type AdvancementEvent = EventsOf<typeof advancementEventSchemas>;
export type PromotionEvent = EventsOf<typeof promotionEventSchemas>;
export type EvidenceEvent = EventsOf<typeof evidenceEventSchemas>;
export type CorrectionEvent = EventsOf<typeof correctionEventSchemas>;
export type ProjectEvent = SolicitationEvent | AdvancementEvent | PromotionEvent | EvidenceEvent | CorrectionEvent;

export function isEvidenceEvent(event: ProjectEvent): event is EvidenceEvent {
  return Object.hasOwn(evidenceEventSchemas, event.type);
}

export function isCorrectionEvent(event: ProjectEvent): event is CorrectionEvent {
  return Object.hasOwn(correctionEventSchemas, event.type);
}

export function isSolicitationEvent(event: ProjectEvent): event is SolicitationEvent {
  return Object.hasOwn(solicitationEventSchemas, event.type);
}

export function isAdvancementEvent(event: ProjectEvent): event is AdvancementEvent {
  return Object.hasOwn(advancementEventSchemas, event.type);
}
