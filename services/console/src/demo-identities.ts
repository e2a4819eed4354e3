import type { Role } from '@gongguan/platform';

/** The demo people of the development sign-in: the seven who take a project from proposal to closing, and a reporting job. */
export const demoIdentities: Array<{ subject: string; roles: Role[]; name: string; title: string }> = [
  { subject: 'alice', roles: ['officer'], name: '李爱丽', title: '项目专员（处室）' },
  { subject: 'bob', roles: ['officer'], name: '鲍博', title: '项目专员（形式审查、验收节点）' },
  { subject: 'expert-chen', roles: ['reviewer'], name: '陈军', title: '评审专家' },
  { subject: 'ann', roles: ['approver'], name: '安宁', title: '分管领导（审批）' },
  { subject: 'fay', roles: ['finance'], name: '费雅', title: '财务（申请、记录拨付）' },
  { subject: 'gus', roles: ['finance'], name: '顾森', title: '财务（复核审批）' },
  { subject: 'audrey', roles: ['auditor'], name: '欧德丽', title: '审计' },
  { subject: 'rita', roles: ['reporter'], name: '任然', title: '统计报表' },
];
