import { Typography } from 'antd';

// Placeholder until the page lands (issue 20, in progress).
export default function Reports() {
  return <Typography.Paragraph>Reports</Typography.Paragraph>;
}
