import { disbursement, r3Ledger } from '@gongguan/domain';
import type { HttpApp } from '@gongguan/platform';
import type { CommandDeps } from './command-route.js';
import { simpleCommand, type SimpleCommand } from './simple-command.js';

const D = '/v1/disbursements/:disbursementId';
const toDisbursement = (p: Record<string, string>) => disbursement.streamName(p.disbursementId!);
const money = (def: Omit<SimpleCommand, 'aggregate' | 'stream' | 'tags'>): SimpleCommand => ({
  aggregate: 'disbursement',
  stream: toDisbursement,
  tags: ['disbursements'],
  ...def,
});

export const moneyCommands: SimpleCommand[] = [
  {
    url: '/v1/disbursements',
    type: 'RequestDisbursement',
    aggregate: 'disbursement',
    stream: (_p, b) => disbursement.streamName(String(b.disbursementId)),
    generatedIds: ['disbursementId'],
    resourceId: (_p, b) => String(b.disbursementId),
    location: (id) => `/v1/disbursements/${id}`,
    summary: 'Request a payment (R2/R3 subsidies; R1 goes through the project grant route)',
    tags: ['disbursements'],
    example: {
      disbursementId: 'r2-pay1',
      rule: 'R2',
      payee: { name: 'Taizhou Pump Co.', creditCode: '91331000MA2AB12341' },
      amount: 10000000,
      projectId: 'p-pump-01',
      basis: 'subsidy-91331000MA2AB12341-2019/pay1',
    },
  },
  money({ url: `${D}/approval`, type: 'ApproveDisbursement', summary: 'Approve a payment (never by its requester)', example: { comment: 'Checked against the ledger' } }),
  money({ url: `${D}/cancellation`, type: 'CancelDisbursement', summary: 'Cancel a payment that was not paid', example: { reason: 'Requested twice' } }),
  money({ url: `${D}/reversal`, type: 'ReverseDisbursement', summary: 'The bank returned the whole payment', example: { reversedOn: '2019-11-02', reason: 'Account closed' } }),
  money({ url: `${D}/clawbacks`, type: 'ClawBackDisbursement', generatedIds: ['clawbackId'], resourceId: (_p, b) => String(b.clawbackId), summary: 'Claw money back after an audit finding or a recomputed entitlement', example: { clawbackId: 'cb-1', amount: 2500000, decidedOn: '2019-12-01', reason: 'Contract payment refunded', basis: 'subsidy-91331000MA2AB12341-2019/pay1 reversal' } }),
  {
    url: '/v1/subsidy-ledgers/r3/:creditCode/:year/transactions/:transactionId/reversal',
    type: 'ReverseR3Transaction',
    aggregate: 'r3Ledger',
    stream: (p) => r3Ledger.streamName(p.creditCode!, Number(p.year)),
    fromPath: ['transactionId'],
    summary: 'Reverse an R3 transaction; the entitlement is recomputed',
    tags: ['subsidy ledgers'],
    example: { reversedOn: '2019-12-01', reason: 'Transaction cancelled' },
  },
];

export function registerMoneyCommands(app: HttpApp, deps: CommandDeps): void {
  for (const def of moneyCommands) simpleCommand(app, deps, def);
}
