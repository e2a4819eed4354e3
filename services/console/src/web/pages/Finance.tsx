import { Typography } from 'antd';

// Placeholder until the page lands (issue 20, in progress).
export default function Finance() {
  return <Typography.Paragraph>Finance</Typography.Paragraph>;
}
