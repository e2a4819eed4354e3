import { Typography } from 'antd';

// Placeholder until the page lands (issue 20, in progress).
export default function DisbursementPage() {
  return <Typography.Paragraph>DisbursementPage</Typography.Paragraph>;
}
