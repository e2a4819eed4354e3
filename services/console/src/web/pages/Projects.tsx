import { Typography } from 'antd';

// Placeholder until the page lands (issue 20, in progress).
export default function Projects() {
  return <Typography.Paragraph>Projects</Typography.Paragraph>;
}
