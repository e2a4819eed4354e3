export { createPostgresDatabase, testDatabaseTargets, type TestDatabase } from './databases.js';
