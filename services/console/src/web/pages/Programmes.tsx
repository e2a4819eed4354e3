import { Typography } from 'antd';

// Placeholder until the page lands (issue 20, in progress).
export default function Programmes() {
  return <Typography.Paragraph>Programmes</Typography.Paragraph>;
}
