import { Typography } from 'antd';

// Placeholder until the page lands (issue 20, in progress).
export default function Reviews() {
  return <Typography.Paragraph>Reviews</Typography.Paragraph>;
}
