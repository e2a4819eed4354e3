import type { CommandsOf } from '../decider.js';
import type { Role } from '../roles.js';
import { advancementCommandSchemas } from './commands-advancement.js';
import { promotionCommandSchemas } from './commands-promotion.js';
import { solicitationCommandSchemas } from './commands-solicitation.js';
import { evidenceCommandSchemas } from '../evidence/evidence.js';
import { correctionCommandRoles, correctionCommandSchemas } from './corrections.js';

export const projectCommandSchemas = {
  ...solicitationCommandSchemas,
  ...advancementCommandSchemas,
  ...promotionCommandSchemas,
  ...evidenceCommandSchemas,
  ...correctionCommandSchemas,
} as const;

export type SolicitationCommand = CommandsOf<typeof solicitationCommandSchemas>;
export type AdvancementCommand = CommandsOf<typeof advancementCommandSchemas>;
export type PromotionCommand = CommandsOf<typeof promotionCommandSchemas>;
export type EvidenceCommand = CommandsOf<typeof evidenceCommandSchemas>;
export type CorrectionCommand = CommandsOf<typeof correctionCommandSchemas>;
export type ProjectCommand = SolicitationCommand | AdvancementCommand | PromotionCommand | EvidenceCommand | CorrectionCommand;

export function isEvidenceCommand(command: ProjectCommand): command is EvidenceCommand {
  return Object.hasOwn(evidenceCommandSchemas, command.type);
}
export type ProjectCommandType = ProjectCommand['type'];

export function isSolicitationCommand(command: ProjectCommand): command is SolicitationCommand {
  return Object.hasOwn(solicitationCommandSchemas, command.type);
}

export function isAdvancementCommand(command: ProjectCommand): command is AdvancementCommand {
  return Object.hasOwn(advancementCommandSchemas, command.type);
}

export function isCorrectionCommand(command: ProjectCommand): command is CorrectionCommand {
  return Object.hasOwn(correctionCommandSchemas, command.type);
}

export const projectCommandRoles: Record<ProjectCommandType, Role[]> = {
  SubmitProject: ['officer'],
  RecommendProject: ['officer'],
  RecordFormalReview: ['officer'],
  AssignExpertReviewer: ['officer'],
  DeclareConflictOfInterest: ['reviewer'],
  ScoreProject: ['reviewer'],
  StartPublicity: ['officer'],
  LodgeObjection: ['officer'],
  ResolveObjection: ['officer'],
  ApproveProject: ['approver'],
  RejectProject: ['approver'],
  WithdrawProposal: ['officer'],
  SignTaskBook: ['officer'],
  ReportMilestone: ['officer'],
  AcceptMilestone: ['officer'],
  ReturnMilestone: ['officer'],
  RecordTrackingVisit: ['officer'],
  RecordMidTermCheck: ['officer'],
  OrderRectification: ['officer'],
  CompleteRectification: ['officer'],
  RequestChange: ['officer'],
  DecideChange: ['approver'],
  RequestExtension: ['officer'],
  DecideExtension: ['approver'],
  SuspendProject: ['officer'],
  ResumeProject: ['officer'],
  TerminateProject: ['approver'],
  AdvanceStage: ['officer'],
  AwardSelectionGrant: ['finance'],
  RegisterConversionContract: ['officer'],
  ConfirmContractPayment: ['officer'],
  ReverseContractPayment: ['officer'],
  RecordSubsidyAssessment: ['officer', 'finance'],
  ApplyForAcceptance: ['officer'],
  ConcludeAcceptance: ['approver'],
  CloseProject: ['officer'],
  GradeAnnualPerformance: ['officer', 'approver'],
  // Which of the two depends on what the file is attached to (evidence/evidence.ts, evidenceRoles).
  AttachEvidence: ['officer', 'finance'],
  ...correctionCommandRoles,
};
