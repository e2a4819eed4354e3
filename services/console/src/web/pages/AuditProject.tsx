import { Typography } from 'antd';

// Placeholder until the page lands (issue 20, in progress).
export default function AuditProject() {
  return <Typography.Paragraph>AuditProject</Typography.Paragraph>;
}
