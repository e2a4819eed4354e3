import { Typography } from 'antd';

// Placeholder until the page lands (issue 20, in progress).
export default function ProjectPage() {
  return <Typography.Paragraph>ProjectPage</Typography.Paragraph>;
}
