import { Typography } from 'antd';

// Placeholder until the page lands (issue 20, in progress).
export default function Audit() {
  return <Typography.Paragraph>Audit</Typography.Paragraph>;
}
