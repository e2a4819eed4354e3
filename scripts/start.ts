import { startServer } from '@gongguan/platform';
import { allInOne } from './all-in-one.js';

await startServer(allInOne);
