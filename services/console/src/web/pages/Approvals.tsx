import { Typography } from 'antd';

// Placeholder until the page lands (issue 20, in progress).
export default function Approvals() {
  return <Typography.Paragraph>Approvals</Typography.Paragraph>;
}
